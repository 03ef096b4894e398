FROM node:20
ONBUILD COPY package.json /app/
ONBUILD RUN npm install
onbuild run --mount=type=cache,target=/root/.npm npm ci
ONBUILD ENV NODE_ENV=production
ONBUILD ARG VERSION
ONBUILD RUN <<EOF
echo building $VERSION
EOF
ONBUILD HEALTHCHECK CMD ["true"]
