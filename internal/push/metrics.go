package push

import "github.com/prometheus/client_golang/prometheus"

// Metrics counts pushes. Register them on the service's registry.
type Metrics struct {
	Sent    prometheus.Counter
	Failed  prometheus.Counter
	Deduped prometheus.Counter
	Stale   prometheus.Counter
}

// NewMetrics creates the counters and registers them on reg (if not nil).
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		Sent: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "roomgate_push_sent_total", Help: "Push messages accepted by FCM (one per device).",
		}),
		Failed: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "roomgate_push_failed_total", Help: "Push messages FCM refused or that could not be sent (stale tokens included).",
		}),
		Deduped: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "roomgate_push_deduped_total", Help: "Message events skipped because the message was already pushed (redeliveries, other instances).",
		}),
		Stale: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "roomgate_push_stale_tokens_total", Help: "Registration tokens deleted after FCM answered UNREGISTERED.",
		}),
	}
	if reg != nil {
		reg.MustRegister(m.Sent, m.Failed, m.Deduped, m.Stale)
	}
	return m
}
