# syntax=docker/dockerfile:1
ARG GO_VERSION=1.21
ARG ALPINE_VERSION
FROM --platform=$BUILDPLATFORM golang:${GO_VERSION}-alpine AS Build
ARG TARGETOS TARGETARCH
WORKDIR /src
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download
COPY . .
RUN GOOS=$TARGETOS GOARCH=$TARGETARCH go build -o /out/app ./cmd/app

FROM alpine:${ALPINE_VERSION:-3.19} AS runtime
COPY --from=build /out/app /usr/local/bin/app
COPY --from=0 /src/LICENSE /
ENTRYPOINT ["/usr/local/bin/app"]

FROM scratch
COPY --from=runtime / /
