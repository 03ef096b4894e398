FROM debian:bookworm
# Comment lines inside a continued instruction are skipped; so are empty ones (with a
# warning). Blanks after the escape character are allowed. Nothing is inserted where
# lines are joined.
RUN apt-get update \
    # install the tools
    && apt-get install -y \
        curl \
  # indented comment
        git \

        jq \   
    && rm -rf /var/lib/apt/lists/*
RUN echo con\
catenated
RUN echo "an escaped escape at the end does not continue" \\
RUN echo last \
