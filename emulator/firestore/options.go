package firestore

// ListenDenial says when an open Listen target whose access the rules no
// longer grant (a member removed from a room, rules replaced) is removed
// with PERMISSION_DENIED.
type ListenDenial int

const (
	// ListenDenyImmediately removes the target at the commit (or rules
	// change, seen at the next commit) that took its access away, even if
	// it has nothing to deliver: no listener outlives its access. The
	// default, and the safer choice.
	ListenDenyImmediately ListenDenial = iota
	// ListenDenyAtNextDelivery removes it only when it next has a change
	// to deliver, as Google's Cloud Firestore emulator does: until then
	// the target stays open (and receives nothing). The change that
	// triggers the decision is not delivered. Use it to reproduce that
	// emulator's sequences; production behaviour is not specified.
	ListenDenyAtNextDelivery
)

// ServerOptions configures NewServerWithOptions. The zero value is what
// NewServer uses.
type ServerOptions struct {
	// ListenDenial is when a Listen target that lost its access is
	// removed (default ListenDenyImmediately).
	ListenDenial ListenDenial
}
