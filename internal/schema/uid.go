package schema

// MaxUIDLength is Firebase's limit on a uid (128 characters).
const MaxUIDLength = 128

// ValidUID reports whether s is a uid this service accepts, in path
// parameters, request bodies and token subjects.
//
// Firebase itself allows any non-empty string of up to 128 characters.
// Because a uid becomes a Firestore document ID (users/{uid},
// rooms/{id}/members/{uid}) and a URL path segment, we accept only
// [A-Za-z0-9], '_', '-', '.', ':', '@' and '+', and reject "." and ".." and
// Firestore's reserved __x__ form. Every uid the Auth emulator and the
// Firebase providers generate fits (28 alphanumerics); a project with exotic
// custom-token uids would have to widen this set deliberately. (inferred:
// the safer choice is to deny what we cannot use as a document ID verbatim.)
func ValidUID(s string) bool {
	if len(s) == 0 || len(s) > MaxUIDLength || s == "." || s == ".." {
		return false
	}
	if len(s) >= 4 && s[:2] == "__" && s[len(s)-2:] == "__" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'A' <= c && c <= 'Z', 'a' <= c && c <= 'z', '0' <= c && c <= '9':
		case c == '_' || c == '-' || c == '.' || c == ':' || c == '@' || c == '+':
		default:
			return false
		}
	}
	return true
}
