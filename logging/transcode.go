package logging

import "github.com/rs/zerolog"

// This file renders the structured data and message of a zerolog event in
// one pass over its JSON, for the usual event: flat, with plain keys and
// values. It is the text, RFC 5424 and RFC 3164 formats' fast path; any
// event it does not take is decoded by parseEvent and rendered by appendSD
// and appendMessage, which write the same bytes for the events both take
// (FuzzTranscode checks this).

// appendSDMessage appends the record's structured data and message as the
// text and syslog formats place them: " [id k="v" ...]" when there are
// fields (without the leading space when spaced is false) and " msg" when
// there is a message. A record still holding an undecoded zerolog event is
// rendered straight from the event when it is plain, and decoded first
// otherwise.
func appendSDMessage(dst []byte, r *record, id string, spaced bool) []byte {
	if r.typed != nil { // no message: LogFields encodes lines that have one
		if out, ok := r.typed.appendSD(dst, id, spaced); ok {
			return out
		}
		d := r.typed.record(r)
		return appendSDMessage(dst, &d, id, spaced)
	}
	if r.undecoded {
		if out, msg, ok := transcodeEvent(dst, id, spaced, r.src); ok {
			if len(msg) > 0 {
				out = append(out, ' ')
				out = appendUnescaped(out, msg)
			}
			return out
		}
		var fields [16]field
		d := r.decoded(fields[:0])
		return appendSDMessage(dst, &d, id, spaced)
	}
	if len(r.fields) > 0 {
		if spaced {
			dst = append(dst, ' ')
		}
		dst = appendSD(dst, id, r)
	}
	if len(r.msg) > 0 {
		dst = append(dst, ' ')
		dst = appendMessage(dst, r)
	}
	return dst
}

// transcodeEvent appends the SD element of the zerolog event src, as
// appendSD would, and returns the JSON-escaped message found last in src.
// It takes only what zerolog writes for flat events: no white space, keys
// that are valid SD-NAMEs as they stand, string values without escapes or
// ']', scalar values (numbers, true, false, null), and a "message" string
// only as the last member. For anything else it returns ok false, and what
// it appended beyond len(dst) is to be ignored.
func transcodeEvent(dst []byte, id string, spaced bool, src []byte) (out, msg []byte, ok bool) {
	if len(src) < 2 || src[0] != '{' {
		return dst, nil, false
	}
	i := 1
	n := 0 // fields written
	if src[i] == '}' {
		return dst, nil, isLineEnd(src, i+1)
	}
	for {
		// A key: "name":
		if i >= len(src) || src[i] != '"' {
			return dst, nil, false
		}
		ks := i + 1
		ke := ks
		for ke < len(src) && byteClass[src[ke]]&(clEscape|clNotName) == 0 {
			ke++
		}
		if ke >= len(src) || src[ke] != '"' || ke == ks || ke-ks > 32 || ke+1 >= len(src) || src[ke+1] != ':' {
			return dst, nil, false
		}
		vs := ke + 2
		if vs >= len(src) {
			return dst, nil, false
		}
		var ve, next int // value content [vs, ve); next is the ',' or '}' after it
		if src[vs] == '"' {
			var vcl uint8
			ve, vcl = scanString(src, vs)
			if ve < 0 {
				return dst, nil, false
			}
			vs++
			next = ve + 1
			if string(src[ks:ke]) == zerolog.MessageFieldName {
				// The message, escapes and all, when it is the last member.
				if next < len(src) && src[next] == '}' && isLineEnd(src, next+1) {
					if n > 0 {
						dst = append(dst, ']')
					}
					return dst, src[vs:ve], true
				}
				return dst, nil, false // a "message" member not last: the long way
			}
			if vcl&(clEscape|clBracket) != 0 {
				return dst, nil, false
			}
		} else {
			// scalarEnd's loop, written out: this is the console's hot path,
			// and the call inlined here costs about 2% of a line.
			if c := src[vs]; c == '{' || c == '[' {
				return dst, nil, false
			}
			ve = vs
			for ve < len(src) && src[ve] != ',' && src[ve] != '}' {
				if byteClass[src[ve]] != 0 {
					return dst, nil, false // white space, quotes, brackets: not a plain scalar
				}
				ve++
			}
			if ve == vs {
				return dst, nil, false
			}
			next = ve
		}
		if next >= len(src) {
			return dst, nil, false
		}
		if n == 0 {
			if spaced {
				dst = append(dst, ' ')
			}
			dst = append(dst, '[')
			dst = append(dst, id...)
		}
		n++
		dst = append(dst, ' ')
		dst = append(dst, src[ks:ke]...)
		dst = append(dst, '=', '"')
		dst = append(dst, src[vs:ve]...)
		dst = append(dst, '"')
		switch src[next] {
		case ',':
			i = next + 1
		case '}':
			dst = append(dst, ']')
			return dst, nil, isLineEnd(src, next+1)
		default:
			return dst, nil, false
		}
	}
}

// scalarEnd returns the index just past the plain scalar (a number, true,
// false or null as zerolog writes them) starting at src[i], which is
// followed by ',' or '}'; or -1 when there is none there: an object or
// array, white space, a quote, a bracket, a backslash.
func scalarEnd(src []byte, i int) int {
	j := i
	for ; j < len(src); j++ {
		c := src[j]
		if c == ',' || c == '}' {
			break
		}
		if byteClass[c] != 0 || c == '{' || c == '[' {
			return -1
		}
	}
	if j == i || j == len(src) {
		return -1
	}
	return j
}

// isLineEnd reports whether src[i:] is nothing or a single newline, what
// follows the closing brace of a zerolog event.
func isLineEnd(src []byte, i int) bool {
	return i == len(src) || (i == len(src)-1 && src[i] == '\n')
}

// flatEvent splits the zerolog event src, when it is flat, into its
// message (JSON-escaped; nil when there is none) and its other members as
// they stand ("k":"v","n":5), for the JSON line output to copy whole. It
// takes what transcodeEvent takes, and also keys and string values with
// escapes, SD-unfriendly bytes or any length: strings, numbers, true,
// false and null as values, nothing nested, "message" only as the last
// member and with a string value. For anything else ok is false.
func flatEvent(src []byte) (msg, members []byte, ok bool) {
	if len(src) < 2 || src[0] != '{' {
		return nil, nil, false
	}
	if src[1] == '}' {
		return nil, nil, isLineEnd(src, 2)
	}
	i := 1
	for {
		if i >= len(src) || src[i] != '"' {
			return nil, nil, false
		}
		ke, _ := scanString(src, i)
		if ke < 0 || ke+2 >= len(src) || src[ke+1] != ':' {
			return nil, nil, false
		}
		key, vs := src[i+1:ke], ke+2
		var next int // the ',' or '}' after the value
		if src[vs] == '"' {
			ve, _ := scanString(src, vs)
			if ve < 0 {
				return nil, nil, false
			}
			next = ve + 1
			if string(key) == zerolog.MessageFieldName {
				if next < len(src) && src[next] == '}' && isLineEnd(src, next+1) {
					if i == 1 {
						return src[vs+1 : ve], nil, true
					}
					return src[vs+1 : ve], src[1 : i-1], true
				}
				return nil, nil, false // a "message" member not last: the long way
			}
		} else if next = scalarEnd(src, vs); next < 0 {
			return nil, nil, false
		}
		if next >= len(src) {
			return nil, nil, false
		}
		switch src[next] {
		case ',':
			i = next + 1
		case '}':
			return nil, src[1:next], isLineEnd(src, next+1)
		default:
			return nil, nil, false
		}
	}
}
