package devstack

// demoflow.go is the walk-through's state, its order of steps and its
// summary; the steps are in demousers.go, demorealtime.go, demopush.go and
// demodenials.go.

import (
	"context"
	"time"
)

// demo holds the state of one run.
type demo struct {
	o    DemoOptions
	n    *narrator
	tgt  demoTarget
	auth *authClient
	api  *apiClient

	alice, bob, carol *demoUser
	roomID            string
	// lastMessageID and lastText are alice's message of sendMessage.
	lastMessageID, lastText string
	clients                 []*userFirestore
	bobListener             *listener

	// The measured numbers of this run.
	writeCall       time.Duration // alice's Create call, request to acknowledgement
	writeToDelivery time.Duration // alice's write started -> bob's listener has it
	removalCall     time.Duration // DELETE member, request to response
	removalToDenial time.Duration // removal response -> bob's listener denied (negative: before it)
	sentToDenial    time.Duration // removal request sent -> bob's listener denied
}

func (d *demo) close() {
	if d.bobListener != nil {
		d.bobListener.Stop()
	}
	for _, c := range d.clients {
		c.Close()
	}
}

func (d *demo) run(ctx context.Context) error {
	steps := []func(context.Context) error{
		d.signIn, d.admit, d.createRoom, d.connect, d.registerBobsPhone, d.sendMessage, d.bobsPhoneGetsAPush, d.outsider, d.removeBob,
	}
	for _, step := range steps {
		if err := step(ctx); err != nil {
			return err
		}
	}
	d.summary()
	return nil
}

// summary prints this run's measurements.
func (d *demo) summary() {
	row := func(label, value string) { d.n.say("  %-48s %s", label, value) }
	d.n.say("\nMeasured in this run:")
	row("alice's write, sent -> acknowledged", ms(d.writeCall))
	row("alice's write, sent -> in bob's listener", ms(d.writeToDelivery))
	row("removal call (DELETE member), sent -> answered", ms(d.removalCall))
	row("removal request sent -> bob's listener denied", ms(d.sentToDenial))
	if d.removalToDenial >= 0 {
		row("removal call returned -> bob's listener denied", ms(d.removalToDenial))
	} else {
		// The member document is deleted inside the service's
		// transaction, so the listener can lose access before the
		// HTTP answer reaches the caller.
		row("removal call returned -> bob's listener denied", "already denied, "+ms(-d.removalToDenial)+" before the answer arrived")
	}
	d.n.say("\nOK: every step behaved as the design says.")
}
