# A Fluentd image with a plugin, from the issue.
FROM fluent/fluentd:v1.16-1
USER root
RUN ["gem", "install", "fluent-plugin-elasticsearch", "--no-document"]
USER fluent
