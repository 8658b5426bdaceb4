package push

import (
	"context"
	"fmt"
	"strings"

	firebase "firebase.google.com/go/v4"
	"google.golang.org/api/option"
)

// CheckFCMEmulatorSafety refuses a fake FCM endpoint for a project that
// does not start with "demo-": a stray variable must never silently
// divert a real project's pushes (or accept them unauthenticated).
func CheckFCMEmulatorSafety(projectID, fcmEmulatorHost string) error {
	if fcmEmulatorHost != "" && !strings.HasPrefix(projectID, "demo-") {
		return fmt.Errorf("push: an FCM emulator host (%s) is set but project %q does not start with \"demo-\"; refusing", fcmEmulatorHost, projectID)
	}
	return nil
}

// NewSender returns the Admin SDK messaging client for projectID. With
// fcmEmulatorHost (host:port of a fake FCM, allowed only for demo-
// projects) it talks to http://host/v1 without credentials; otherwise to
// FCM with opts (Application Default Credentials when empty).
func NewSender(ctx context.Context, projectID, fcmEmulatorHost string, opts ...option.ClientOption) (Sender, error) {
	if err := CheckFCMEmulatorSafety(projectID, fcmEmulatorHost); err != nil {
		return nil, err
	}
	if fcmEmulatorHost != "" {
		if strings.ContainsAny(fcmEmulatorHost, "/?#@") {
			return nil, fmt.Errorf("push: FCM emulator host %q must be host:port", fcmEmulatorHost)
		}
		opts = []option.ClientOption{option.WithEndpoint("http://" + fcmEmulatorHost + "/v1"), option.WithoutAuthentication()}
	}
	app, err := firebase.NewApp(ctx, &firebase.Config{ProjectID: projectID}, opts...)
	if err != nil {
		return nil, fmt.Errorf("push: firebase app: %w", err)
	}
	c, err := app.Messaging(ctx)
	if err != nil {
		return nil, fmt.Errorf("push: messaging client: %w", err)
	}
	return c, nil
}
