# syntax=docker/dockerfile:1
FROM alpine
ENV NAME=world
RUN <<EOF
echo "hello $NAME"
echo second line
EOF
RUN <<-EOT
	echo "tabs stripped"
		echo "all leading tabs"
	EOT
RUN <<"QUOTED"
echo "$NAME is not expanded"
QUOTED
RUN <<'SINGLE' sh -x
echo single-quoted delimiter
SINGLE
RUN <<A cat - <<B >/out.txt
from a
A
from b
B
RUN 3<<FD cat <&3
fd three
FD
RUN <<SHEBANG
#!/usr/bin/env python3
print("run as a file")
SHEBANG
RUN --network=none << SPACED
# a comment line in a body is body text
echo blank between operator and name

SPACED
RUN echo not a heredoc: "<<EOF" 'x<<y' a<<b
