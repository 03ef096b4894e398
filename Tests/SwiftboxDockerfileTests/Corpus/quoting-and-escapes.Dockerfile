FROM busybox
# Escapes are kept raw in shell-form commands: the shell sees them.
RUN echo "a \"quoted\" word" 'single \ stays' \$HOME
# ENV values keep their quotes and escapes for the builder's expansion.
ENV GREETING="say \"hi\"" PATH_WITH_SPACE=/opt/my\ dir SINGLE='$NOT_EXPANDED'
LABEL "com.example.key with space"="value with space" plain=a\=b
ARG DEFAULT="with \"escaped\" quotes"
COPY "quoted.txt" /dest/
