package push

// MaxInstallationIDLength bounds an installation ID (a Firebase
// Installations ID is 22 characters; app-chosen UUIDs are 36).
const MaxInstallationIDLength = 64

// MaxTokenLength bounds a registration token (FCM tokens are about 160
// characters today; Google documents no maximum, so leave room).
const MaxTokenLength = 4096

// minTokenLength rejects obviously truncated tokens.
const minTokenLength = 16

// ValidInstallationID reports whether s is [A-Za-z0-9_-]{1,64}: it becomes
// a document ID and a path segment verbatim.
func ValidInstallationID(s string) bool {
	if len(s) == 0 || len(s) > MaxInstallationIDLength {
		return false
	}
	if len(s) >= 4 && s[:2] == "__" && s[len(s)-2:] == "__" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(isAlnum(c) || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// ValidToken reports whether s looks like an FCM registration token:
// 16..4096 characters of [A-Za-z0-9_:.-]. Anything else is refused at the
// edge rather than sent to FCM.
func ValidToken(s string) bool {
	if len(s) < minTokenLength || len(s) > MaxTokenLength {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(isAlnum(c) || c == '_' || c == '-' || c == ':' || c == '.') {
			return false
		}
	}
	return true
}

// ValidMessageID reports whether s is a message document ID the notifier
// accepts ([A-Za-z0-9_-]{1,128}); clients' auto IDs are 20 alphanumerics.
// Others are skipped, not pushed (the safer choice).
func ValidMessageID(s string) bool {
	if len(s) == 0 || len(s) > 128 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(isAlnum(c) || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// ValidateDevice checks a registration.
func ValidateDevice(installationID string, d Device) error {
	if !ValidInstallationID(installationID) {
		return ErrInvalidInstallationID
	}
	if !ValidToken(d.Token) {
		return ErrInvalidToken
	}
	switch d.Platform {
	case "", "android", "ios", "web":
	default:
		return ErrInvalidPlatform
	}
	return nil
}

func isAlnum(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9'
}
