package api

import (
	"fmt"
	"strings"
	"testing"
)

func TestMetricsCountRequestsDenialsAndRooms(t *testing.T) {
	h := newHarness(t, func(d *Deps) { d.RateLimit = RateConfig{Rate: 1, Burst: 1} })
	h.do("POST", "/v1/rooms", "tok-alice", `{}`, nil, "")         // 201
	h.do("POST", "/v1/rooms", "tok-alice", `{}`, nil, "")         // 429
	h.do("GET", "/v1/rooms", "", "", nil, "")                     // 401
	h.do("GET", "/v1/rooms/"+roomA, "tok-newbie", "", nil, "")    // 403
	h.do("GET", "/nope/"+strings.Repeat("x", 5), "", "", nil, "") // 404 unmatched
	rec := h.do("GET", "/metrics", "", "", nil, "")
	body := rec.Body.String()
	for _, want := range []string{
		`roomgate_http_requests_total{code="201",method="POST",route="/v1/rooms"} 1`,
		`roomgate_http_requests_total{code="429",method="POST",route="/v1/rooms"} 1`,
		`roomgate_http_requests_total{code="401",method="GET",route="/v1/rooms"} 1`,
		`roomgate_http_requests_total{code="404",method="GET",route="unmatched"} 1`,
		`roomgate_rooms_created_total 1`,
		`roomgate_rate_limited_total 1`,
		`roomgate_denials_total{reason="missing_token"} 1`,
		`roomgate_denials_total{reason="not_admitted"} 1`,
		`roomgate_http_request_duration_seconds_bucket{method="POST",route="/v1/rooms",le="+Inf"} 2`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	if strings.Contains(body, "xxxxx") {
		t.Error("an unmatched path leaked into a label")
	}
}

// TestMetricsLabelsStayBounded scans random methods, random paths and
// random room IDs: the number of series must not grow with the scan.
func TestMetricsLabelsStayBounded(t *testing.T) {
	h := newHarness(t, nil)
	series := func() int {
		n := 0
		for _, l := range strings.Split(h.do("GET", "/metrics", "", "", nil, "").Body.String(), "\n") {
			if strings.HasPrefix(l, "roomgate_http_requests_total{") {
				n++
			}
		}
		return n
	}
	scan := func(i int) {
		id := fmt.Sprintf("%022d", i)
		h.do(fmt.Sprintf("M%d", i), "/v1/rooms/"+id, "tok-alice", "", nil, "")
		h.do(fmt.Sprintf("X%d", i), fmt.Sprintf("/scan/%d", i), "", "", nil, "")
		h.do("GET", "/v1/rooms/"+id, "tok-alice", "", nil, "")
		h.do("GET", fmt.Sprintf("/scan/%d", i), "", "", nil, "")
	}
	for i := 0; i < 5; i++ {
		scan(i)
	}
	series() // the scrape itself is a series too
	before := series()
	for i := 5; i < 200; i++ {
		scan(i)
	}
	if after := series(); after != before {
		t.Fatalf("a scan grew the request series from %d to %d", before, after)
	}
	if body := h.do("GET", "/metrics", "", "", nil, "").Body.String(); strings.Contains(body, `method="M17"`) {
		t.Fatal("a client-chosen method became a label")
	}
}
