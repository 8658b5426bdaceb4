package firebasejson

import (
	"fmt"
	"net"
	"strconv"
	"strings"
)

// addr returns e's host:port, filling in DefaultHost and defPort for what
// e leaves out (e may be nil: no entry at all).
func (e *emulator) addr(defPort int) (string, error) {
	host, port := DefaultHost, defPort
	if e == nil {
		return net.JoinHostPort(host, strconv.Itoa(port)), nil
	}
	if e.Host != "" {
		h, err := normalizeHost(e.Host)
		if err != nil {
			return "", err
		}
		host = h
	}
	if len(e.Port) > 0 && string(e.Port) != "null" {
		raw := strings.Trim(string(e.Port), `"`)
		p, err := strconv.Atoi(raw)
		if err != nil || p < 0 || p > 65535 {
			return "", fmt.Errorf("port %s is not a port number (0-65535)", e.Port)
		}
		port = p
	}
	return net.JoinHostPort(host, strconv.Itoa(port)), nil
}

// normalizeHost checks h and maps "localhost" to DefaultHost. An IPv6
// address may be written with or without brackets.
func normalizeHost(h string) (string, error) {
	if strings.EqualFold(h, "localhost") {
		return DefaultHost, nil
	}
	bare := strings.TrimSuffix(strings.TrimPrefix(h, "["), "]")
	if net.ParseIP(bare) != nil {
		return bare, nil
	}
	if !isHostName(h) {
		return "", fmt.Errorf("host %q is not a host name or IP address", h)
	}
	return h, nil
}

// isHostName reports whether h is made of DNS labels: letters, digits,
// '-' and '_', separated by single dots.
func isHostName(h string) bool {
	if h == "" || len(h) > 253 {
		return false
	}
	for _, label := range strings.Split(h, ".") {
		if label == "" || len(label) > 63 {
			return false
		}
		for _, c := range label {
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
				return false
			}
		}
	}
	return true
}
