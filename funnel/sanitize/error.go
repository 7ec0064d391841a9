package sanitize

// Error returns err with its message made safe by Line; errors.Is and
// errors.As still see err itself. nil stays nil.
func Error(err error) error { return (*Secrets)(nil).Error(err) }

// cleanError is an error whose message is cleaned, and scrubbed of
// secrets, when read.
type cleanError struct {
	err     error
	secrets *Secrets
}

func (e cleanError) Error() string { return e.secrets.Line(e.err.Error()) }
func (e cleanError) Unwrap() error { return e.err }
