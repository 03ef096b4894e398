FROM busybox AS exec
CMD ["echo", "hello"]
ENTRYPOINT ["/bin/sh", "-c"]
CMD []

FROM busybox AS shell-form
ENTRYPOINT exec top -b
CMD echo $HOME

FROM busybox AS custom-shell
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
CMD echo under bash
RUN set -x; echo "$0"
SHELL [ "/bin/sh" , "-c" ]
