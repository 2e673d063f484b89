package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/asabgo/asab/config"
	"github.com/asabgo/asab/logging"
)

// LevelsPath is the path of the run-time log levels endpoint, served by a
// container whose section has admin_api = true.
const LevelsPath = "/asab/v1/logging/levels"

// The admin API of a container (admin_api): run-time log thresholds on the
// current logging pipeline (logging.Current, the application's while it
// runs). It has no authentication of its own; serve it on a container of
// its own bound to the loopback or a unix socket (NewContainer with
// admin_api = true in its section) rather than on the public one.
//
//	GET    /asab/v1/logging/levels                 the thresholds in force
//	PUT    /asab/v1/logging/levels                 {"logger": "asab.web", "level": "DEBUG", "revert_after": "10m"}
//	DELETE /asab/v1/logging/levels?logger=asab.web the override removed

// addAdmin adds the admin routes when the section turns them on. admin_api
// is static: the routes are there for the container's life, or never.
func (c *Container) addAdmin() {
	if !c.set.adminAPI {
		return
	}
	c.e.GET(LevelsPath, c.getLevels)
	c.e.PUT(LevelsPath, c.putLevel)
	c.e.DELETE(LevelsPath, c.deleteLevel)
}

// LevelThreshold is one threshold in the levels endpoint's answers.
type LevelThreshold struct {
	// Logger is the logger name, "root" for the root threshold.
	Logger string `json:"logger"`
	// Level is the threshold in force.
	Level string `json:"level"`
	// Configured is what the configuration says for the logger, which
	// comes back when an override reverts or is deleted.
	Configured string `json:"configured"`
	// Override tells a threshold set through the API.
	Override bool `json:"override"`
	// Until is when the override reverts (RFC 3339, UTC); absent for none.
	Until *time.Time `json:"until,omitempty"`
}

// LevelsAnswer is the body of GET and the 200 answers of PUT and DELETE.
type LevelsAnswer struct {
	// Levels are the thresholds in force: root first, then by logger name.
	Levels []LevelThreshold `json:"levels"`
}

// LevelRequest is the body of PUT /asab/v1/logging/levels.
type LevelRequest struct {
	// Logger is the logger name (required); "root" is the root threshold.
	Logger string `json:"logger"`
	// Level is DEBUG, INFO, NOTICE, WARNING, ERROR or CRITICAL (or a
	// Python number, as in [logging] levels); required.
	Level string `json:"level"`
	// RevertAfter is how long the override lasts: a string in asab's time
	// syntax ("10m", "200ms", "1.5") or a number of seconds; absent or
	// null for no revert (until DELETE or the end of the process).
	RevertAfter json.RawMessage `json:"revert_after,omitempty"`
}

// AdminError is the body of a 4xx answer of the admin API.
type AdminError struct {
	// Error says what was wrong, naming the field and the quoted value.
	Error string `json:"error"`
	// Field is the request field at fault, when there is one.
	Field string `json:"field,omitempty"`
}

// badField answers 400 naming field and its value.
func badField(ec echo.Context, field, value, why string) error {
	return ec.JSON(http.StatusBadRequest, AdminError{Error: fmt.Sprintf("%s %q: %s", field, value, why), Field: field})
}

// getLevels answers the thresholds in force.
func (c *Container) getLevels(ec echo.Context) error {
	return ec.JSON(http.StatusOK, levelsAnswer(logging.Current()))
}

// putLevel sets one logger's threshold, answering 200 with the thresholds
// in force, or 400 naming the field at fault.
func (c *Container) putLevel(ec echo.Context) error {
	body, err := io.ReadAll(ec.Request().Body)
	if err != nil {
		return err // the body limit's 413, or a broken connection
	}
	var req LevelRequest
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		return badBody(ec, err)
	}
	if dec.More() {
		return ec.JSON(http.StatusBadRequest, AdminError{Error: "body: more than one JSON value"})
	}
	if req.Logger == "" {
		return badField(ec, "logger", req.Logger, `required: a logger name, or "root" for the root threshold`)
	}
	lv, err := logging.ParseLevel(req.Level)
	if err != nil {
		return badField(ec, "level", req.Level, "want DEBUG, INFO, NOTICE, WARNING, ERROR, CRITICAL or a number 0-50")
	}
	revert, field, err := parseRevertAfter(req.RevertAfter)
	if err != nil {
		return badField(ec, "revert_after", field, err.Error())
	}
	p := logging.Current()
	th, err := p.SetLevel(req.Logger, lv, revert)
	if err != nil {
		return badField(ec, "logger", req.Logger, strings.TrimPrefix(err.Error(), "logging: "))
	}
	ev := c.log.Notice().Str("section", c.set.section).Str("logger", th.Logger).Str("level", lv.String()).
		Str("configured", th.Configured.String()).Str("ip", ec.RealIP())
	if revert > 0 {
		ev = ev.Dur("revert_after", revert)
	}
	ev.Msg("Log level set at run time")
	return ec.JSON(http.StatusOK, levelsAnswer(p))
}

// deleteLevel removes the override of ?logger=NAME: 200 with the
// thresholds in force, 404 when there is none.
func (c *Container) deleteLevel(ec echo.Context) error {
	name := ec.QueryParam("logger")
	if name == "" {
		return badField(ec, "logger", name, "required (?logger=NAME)")
	}
	p := logging.Current()
	if !p.ResetLevel(name) {
		return ec.JSON(http.StatusNotFound, AdminError{Error: fmt.Sprintf("logger %q: no run-time level is set for it", name), Field: "logger"})
	}
	c.log.Notice().Str("section", c.set.section).Str("logger", name).Str("ip", ec.RealIP()).Msg("Run-time log level removed")
	return ec.JSON(http.StatusOK, levelsAnswer(p))
}

// badBody answers 400 for a body that does not decode, naming the field
// when the decoder does.
func badBody(ec echo.Context, err error) error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) && te.Field != "" {
		return badField(ec, te.Field, te.Value, "wrong JSON type, want a "+te.Type.String())
	}
	if f, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		return ec.JSON(http.StatusBadRequest, AdminError{
			Error: "unknown field " + f + " (want logger, level, revert_after)", Field: strings.Trim(f, `"`)})
	}
	return ec.JSON(http.StatusBadRequest, AdminError{Error: "body is not a JSON object: " + err.Error()})
}

// parseRevertAfter reads revert_after: absent or null is 0 (no revert),
// a string asab's time syntax, a number seconds; it must be more than 0.
// On error it returns the value as text for the message.
func parseRevertAfter(raw json.RawMessage) (time.Duration, string, error) {
	text := strings.TrimSpace(string(raw))
	if text == "" || text == "null" {
		return 0, "", nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		s = text // a number, or something else to refuse
	}
	d, err := config.ParseDuration(s)
	if err != nil {
		return 0, s, errors.New(`want a time such as "10m", "30s", "200ms" or a number of seconds`)
	}
	if d <= 0 {
		return 0, s, errors.New("must be more than 0 (leave it out for no revert)")
	}
	return d, s, nil
}

// levelsAnswer is the thresholds in force of p.
func levelsAnswer(p *logging.Pipeline) LevelsAnswer {
	ths := p.Thresholds()
	out := LevelsAnswer{Levels: make([]LevelThreshold, 0, len(ths))}
	for _, th := range ths {
		lt := LevelThreshold{Logger: th.Logger, Level: th.Level.String(), Configured: th.Configured.String(), Override: th.Override}
		if !th.Until.IsZero() {
			u := th.Until.UTC().Round(time.Millisecond)
			lt.Until = &u
		}
		out.Levels = append(out.Levels, lt)
	}
	return out
}
