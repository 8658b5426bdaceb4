package push

import (
	"context"
	"fmt"
	"syscall"
	"testing"
	"time"

	"cloud.google.com/go/firestore"
	"firebase.google.com/go/v4/messaging"

	"github.com/roomgate/roomgate/emulator/embedded"
	"github.com/roomgate/roomgate/internal/push"
	"github.com/roomgate/roomgate/internal/roomid"
)

// okSender accepts every message without a network round trip, so the
// benchmark measures the service's side only (FCM excluded).
type okSender struct{}

func (okSender) SendEach(_ context.Context, ms []*messaging.Message) (*messaging.BatchResponse, error) {
	r := &messaging.BatchResponse{Responses: make([]*messaging.SendResponse, len(ms)), SuccessCount: len(ms)}
	for i := range ms {
		r.Responses[i] = &messaging.SendResponse{Success: true, MessageID: "m"}
	}
	return r, nil
}

// BenchmarkFanOut100Members pushes one message of a 100-member room (99
// recipients with one device each, one muted): the claim, the reads of
// message, room, members, mutes and devices, building 98 messages, and
// the delivery record. The Firestore emulator runs in the same process,
// so its CPU is included: an upper bound on the service's own cost.
func BenchmarkFanOut100Members(b *testing.B) {
	emu := embedded.StartT(b, embedded.Options{})
	emu.Setenv(b)
	ctx := context.Background()
	fs, err := firestore.NewClient(ctx, emu.ProjectID)
	if err != nil {
		b.Fatal(err)
	}
	defer fs.Close()
	room := roomid.New()
	rref := fs.Collection("rooms").Doc(room)
	bw := fs.BulkWriter(ctx)
	bw.Set(rref, map[string]any{"title": "big", "kind": "group", "memberCount": 100})
	for i := range 100 {
		uid := fmt.Sprintf("user%03d", i)
		bw.Set(rref.Collection("members").Doc(uid), map[string]any{"role": "member"})
		bw.Set(fs.Collection("users").Doc(uid).Collection("devices").Doc("phone"), map[string]any{
			"uid": uid, "token": fmt.Sprintf("fcm-token-%03d:APA91bXXXXXXXXXXXXXXXX", i), "platform": "android",
		})
	}
	bw.Set(rref.Collection("pushMutes").Doc("user099"), map[string]any{"muted": true})
	bw.End()
	m := push.NewMetrics(nil)
	n := &push.Notifier{Client: fs, Devices: &push.Devices{Client: fs}, Mutes: &push.Mutes{Client: fs}, Sender: okSender{}, Metrics: m}
	ids := make([]string, b.N)
	bw = fs.BulkWriter(ctx)
	for i := range ids {
		ids[i] = fmt.Sprintf("msg%08d", i)
		bw.Set(rref.Collection("messages").Doc(ids[i]), map[string]any{"senderId": "user000", "text": "hi"})
	}
	bw.End()
	cpu0 := cpuTime()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		out, err := n.Notify(ctx, room, ids[i])
		if err != nil || out.Sent != 98 {
			b.Fatalf("notify: %+v %v", out, err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/1000/float64(b.N), "cpu-ms/op")
}

// cpuTime is the process's user+system CPU time (service and emulator).
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
