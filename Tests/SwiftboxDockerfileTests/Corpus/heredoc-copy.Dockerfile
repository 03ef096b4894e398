FROM busybox
COPY <<EOF /etc/motd
Welcome, $USER
EOF
COPY --chmod=0755 <<"run.sh" <<-conf.txt /opt/
#!/bin/sh
echo $HOME
run.sh
	key=value
	conf.txt
ADD <<EOF /added.txt
added
EOF
COPY ["<<NOT", "/json/form/takes/no/heredocs"]
