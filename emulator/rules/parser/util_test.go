package parser_test

import "regexp"

func matches(rx, s string) bool {
	return regexp.MustCompile(rx).MatchString(s)
}
