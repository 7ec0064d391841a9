package sanitize

// Error returns err with its message made safe by Line; errors.Is and
// errors.As still see err itself. nil stays nil.
func Error(err error) error {
	if err == nil || firstOffending(err.Error(), false) == len(err.Error()) {
		return err
	}
	return cleanError{err}
}

type cleanError struct{ err error }

func (e cleanError) Error() string { return Line(e.err.Error()) }
func (e cleanError) Unwrap() error { return e.err }
