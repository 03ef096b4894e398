FROM golang:1.22
RUN --mount=type=bind,source=.,target=/src,rw go build ./...
RUN --mount=type=cache,target=/root/.cache/go-build,id=gocache,sharing=locked,mode=0755,uid=1000,gid=1000 go test ./...
RUN --mount=type=cache,target=/var/cache/apt,ro apt-get update
RUN --mount=type=tmpfs,target=/tmp,size=64m ls /tmp
RUN --mount=type=secret,id=npmrc --mount=type=secret,id=aws,target=/root/.aws/credentials,required \
    --mount=type=secret,id=token,env=TOKEN ./deploy.sh
RUN --mount=type=ssh git clone git@example.com:org/repo.git
RUN --mount=type=ssh,id=github,required=true,target=/ssh.sock ssh-add -l
RUN --mount=from=build,source=/out,target=/in --mount=TARGET=/upper,Type=Bind ls /in
RUN --mount="type=bind,target=/quoted path" ls
RUN --network=host --security=insecure ping -c1 localhost
RUN --network=default --device=/dev/fuse echo ok
RUN --mount=type=cache,target=/cache,uid=$UID echo deferred
