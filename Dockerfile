# pilotscope in a small container image: a static (musl) binary on Alpine,
# which keeps a shell for CI services that run scripts in the image.
#
#   docker build -t pilotscope --build-arg PILOTSCOPE_BUILD_COMMIT="$(git log -1 --format='%h %cs')" .
#   docker run --rm -v "$PWD:/project" pilotscope check
#   docker run --rm -p 1111:1111 -v "$PWD:/project" pilotscope serve --bind 0.0.0.0
FROM rust:1-alpine3.20 AS build
# musl-dev comes with the Alpine release the base image pins.
# hadolint ignore=DL3018
RUN apk add --no-cache musl-dev
WORKDIR /src
COPY . .
# The commit and date --version names (the build context has no .git).
ARG PILOTSCOPE_BUILD_COMMIT
RUN cargo build --release --locked \
    && strip target/release/pilotscope

FROM alpine:3.20
COPY --from=build /src/target/release/pilotscope /usr/local/bin/pilotscope
WORKDIR /project
ENTRYPOINT ["pilotscope"]
CMD ["--help"]
