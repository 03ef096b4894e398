from alpine as builder
run apk add --no-cache build-base
Copy . /src
workdir /src
Env CC=gcc
cmd ["make"]
