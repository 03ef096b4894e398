ARG DECLARED=1
FROM image:${DECLARED} as first
MAINTAINER Jane Doe <jane@example.com>
from image:$UNDECLARED AS second
FROM --platform=$TARGETPLATFORM image:${OTHER:-x} As Third
ENV LEGACY value
CMD run forever
