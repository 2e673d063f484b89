// Package sample is doclint's test input: each identifier named "Bare..."
// lacks a comment, everything else is documented or need not be.
package sample

func BareFunc() {}

// Documented is documented.
func Documented() {}

func unexported() {}

type BareType struct {
	BareField int
	// Doc is documented.
	Doc          int
	Trailing     int // Trailing is documented at the end of its line.
	hidden       int
	BareA, BareB string
	Embedded
}

// Embedded is embedded in BareType; an embedded field needs no comment.
type Embedded struct{}

func (BareType) BareMethod() {}

// Method is documented.
func (*BareType) Method() {}

type hiddenType struct{ Field int }

func (hiddenType) Exported() {}

// Generic is a generic type.
type Generic[T any] struct{}

func (Generic[T]) BareGenericMethod() {}

// Iface is documented, not its first method.
type Iface interface {
	BareIfaceMethod()
	// Documented is documented.
	Documented()
}

const BareConst = 1

// Group's doc covers its members.
const (
	GroupA = iota
	GroupB
)

var (
	BareVar = 1
	// Var is documented.
	Var       = 2
	hiddenVar = 3
)

var _ = unexported
var _ = hiddenVar
