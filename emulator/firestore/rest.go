package firestore

import "net/http"

// restHandler serves the emulator's HTTP/1.1 endpoints (§2.2).
func (s *server) restHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("Ok\n")) })
	return mux
}
