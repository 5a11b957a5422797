package app

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"

	"github.com/go-playground/validator/v10"

	"vaaka/monitoring"
)

// newValidator builds the one validator (all registration before serving):
// field names as the json/form tag names them, and Vaaka's own tags.
func newValidator() *validator.Validate {
	v := validator.New(validator.WithRequiredStructEnabled())
	v.RegisterTagNameFunc(func(f reflect.StructField) string {
		for _, tag := range []string{"json", "form"} {
			name := strings.SplitN(f.Tag.Get(tag), ",", 2)[0]
			if name == "-" {
				return ""
			}
			if name != "" {
				return name
			}
		}
		return f.Name
	})
	must := func(err error) {
		if err != nil {
			panic(err)
		}
	}
	must(v.RegisterValidation("ytunnus", func(fl validator.FieldLevel) bool {
		return monitoring.ValidBusinessID(fl.Field().String())
	}))
	must(v.RegisterValidation("staffid", func(fl validator.FieldLevel) bool {
		return monitoring.ValidStaffID(fl.Field().String())
	}))
	must(v.RegisterValidation("lang", func(fl validator.FieldLevel) bool {
		return monitoring.Language(fl.Field().String()).Valid()
	}))
	return v
}

// validationKeys maps validator tags to catalog keys under "validation.".
var validationKeys = map[string]string{
	"required": monitoring.MsgRequired, "max": monitoring.MsgTooLong, "min": monitoring.MsgRequired,
	"email": monitoring.MsgEmail, "ytunnus": monitoring.MsgYTunnus, "staffid": monitoring.MsgInvalid,
	"lang": monitoring.MsgUnknown, "oneof": monitoring.MsgUnknown, "url": monitoring.MsgURL,
	"gte": monitoring.MsgPositive, "lte": monitoring.MsgTooLong, "datetime": monitoring.MsgDate,
}

// check validates a DTO and returns an Invalid domain error naming each
// field (by its json/form name, dotted from the root), or nil.
func (s *Server) check(dto any) error {
	err := s.validate.Struct(dto)
	if err == nil {
		return nil
	}
	ves, ok := err.(validator.ValidationErrors)
	if !ok {
		return err
	}
	fe := monitoring.FieldErrors{}
	for _, ve := range ves {
		ns := ve.Namespace()
		if i := strings.IndexByte(ns, '.'); i >= 0 {
			ns = ns[i+1:] // drop the struct name
		}
		key, ok := validationKeys[ve.Tag()]
		if !ok {
			key = monitoring.MsgInvalid
		}
		fe.Add(ns, key)
	}
	return fe.Err()
}

// jsonMarshal marshals without HTML escaping (the API's bodies are JSON,
// never embedded in HTML).
func jsonMarshal(v any) ([]byte, error) {
	var b bytes.Buffer
	if err := jsonEncode(&b, v); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// jsonEncode appends v to b as jsonMarshal marshals it.
func jsonEncode(b *bytes.Buffer, v any) error {
	enc := json.NewEncoder(b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return err
	}
	b.Truncate(b.Len() - 1) // Encode's newline
	return nil
}
