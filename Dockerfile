# roomgate service image: `roomgate serve` only (the production binary has
# no emulator code), static, run as an unprivileged user on distroless.
# Build: docker build -t roomgate .   Cloud Run: see the README.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/roomgate ./cmd/roomgate

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/roomgate /roomgate
USER nonroot:nonroot
# Cloud Run sets PORT; roomgate listens on :$PORT when ROOMGATE_ADDR is unset.
ENTRYPOINT ["/roomgate", "serve"]
