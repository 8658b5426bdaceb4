package app

import (
	"context"
	"log/slog"
	"net/http"
	"os"
	"strings"

	"cloud.google.com/go/firestore"
	"google.golang.org/api/option"

	"github.com/roomgate/roomgate/internal/api"
	"github.com/roomgate/roomgate/internal/config"
	"github.com/roomgate/roomgate/internal/push"
)

// Push is the service's push notifications: device and mute storage for
// the API, and (with a sender) the notifier behind the Eventarc endpoint
// and the listener. It implements api.PushService.
type Push struct {
	Devices *push.Devices
	Mutes   *push.Mutes
	// Notifier is nil when no FCM sender could be built (emulator mode
	// without a fake FCM): devices are still stored, nothing is sent.
	Notifier *push.Notifier
	Metrics  *push.Metrics
	events   http.Handler
}

// PutDevice implements api.PushService.
func (p *Push) PutDevice(ctx context.Context, uid, installationID string, d push.Device) error {
	return p.Devices.Put(ctx, uid, installationID, d)
}

// DeleteDevice implements api.PushService.
func (p *Push) DeleteDevice(ctx context.Context, uid, installationID string) error {
	return p.Devices.Delete(ctx, uid, installationID)
}

// SetMute implements api.PushService.
func (p *Push) SetMute(ctx context.Context, uid, roomID string, muted bool) error {
	return p.Mutes.Set(ctx, uid, roomID, muted)
}

// Events implements api.PushService.
func (p *Push) Events() http.Handler { return p.events }

// Listen runs the Firestore-listener source until ctx ends (a no-op
// without a notifier).
func (p *Push) Listen(ctx context.Context, fs *firestore.Client) error {
	if p.Notifier == nil {
		return nil
	}
	return push.Listen(ctx, fs, p.Notifier)
}

// newPush builds the push pieces for cfg. The FCM sender is the Admin SDK
// messaging client: against the fake FCM when cfg.FCMEmulatorHost is set
// (demo- projects only), against FCM with the service's credentials in
// production, and absent in emulator mode without a fake FCM (so a dev
// setup never reaches the real FCM).
func newPush(cfg config.Config, fs *firestore.Client, m *api.Metrics, log *slog.Logger) *Push {
	pm := push.NewMetrics(m.Registry)
	p := &Push{
		Devices: &push.Devices{Client: fs, Max: cfg.PushMaxDevices},
		Mutes:   &push.Mutes{Client: fs},
		Metrics: pm,
	}
	var sender push.Sender
	switch {
	case cfg.FCMEmulatorHost != "":
		s, err := push.NewSender(context.Background(), cfg.ProjectID, cfg.FCMEmulatorHost)
		if err != nil {
			log.Error("push disabled", "err", err)
			return p
		}
		sender = s
	case cfg.Emulated():
		log.Info("push: emulator mode without an FCM emulator host; devices are stored, nothing is sent")
		return p
	default:
		var opts []option.ClientOption
		if cfg.CredentialsFile != "" {
			opts = append(opts, option.WithAuthCredentialsFile(option.ServiceAccount, cfg.CredentialsFile))
		}
		s, err := push.NewSender(context.Background(), cfg.ProjectID, "", opts...)
		if err != nil {
			log.Error("push disabled", "err", err)
			return p
		}
		sender = s
	}
	p.Notifier = &push.Notifier{Client: fs, Devices: p.Devices, Mutes: p.Mutes, Sender: sender, Metrics: pm, Logger: log}
	auth := &push.EventAuth{
		Audience:      cfg.PushEventsAudience,
		Invokers:      splitList(cfg.PushEventsInvokers),
		AllowUnsigned: push.UnsignedAllowed(cfg.ProjectID, os.Getenv("FIRESTORE_EMULATOR_HOST")),
	}
	if auth.AllowUnsigned || (auth.Audience != "" && len(auth.Invokers) > 0) {
		p.events = &push.EventsHandler{Auth: auth, Notifier: p.Notifier, ProjectID: cfg.ProjectID, Logger: log}
	}
	return p
}

func splitList(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}
