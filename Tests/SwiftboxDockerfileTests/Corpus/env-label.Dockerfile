FROM busybox
ENV A=1 B="two words" C='single $quoted' D=esc\ aped E=
ENV LEGACY the rest of   the line is the value
ENV LEGACY_QUOTED "quoted legacy value"
ENV MULTI=first \
    SECOND=second
ENV PATH=$PATH:/opt/bin HOME_DIR=${HOME:-/root}
LABEL org.opencontainers.image.title="My App" version=1.0 "quoted key"=value
LABEL description="multi \
line"
LABEL maintainer legacy@example.com
