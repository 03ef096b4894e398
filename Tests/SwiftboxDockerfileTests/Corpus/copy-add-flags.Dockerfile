FROM alpine AS base
FROM alpine
COPY --from=base --chown=app:app --chmod=644 /etc/os-release /tmp/
COPY --link src/ /app/src/
COPY --link=false --parents ./a/**/*.txt /dest/
COPY --exclude=*.md --exclude=docs/ . /app/
COPY ["file with spaces.txt", "other file.txt", "/dest dir/"]
COPY -- --looks-like-a-flag /dest/
ADD --checksum=sha256:24454f830cdb571e2c4ad15481119c43b3cafd48dd869a9b2945d1036d1dc68d https://example.com/archive.tar.gz /tmp/
ADD --keep-git-dir=true https://github.com/moby/buildkit.git#v0.13.0 /buildkit
ADD --unpack=false --link archive.tar.gz /archives/
ADD src1 src2 $DEST/
