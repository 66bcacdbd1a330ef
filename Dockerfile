# syntax=docker/dockerfile:1
# Multi-stage build on Debian 12 (bookworm), whose OpenCV 4.6 matches the
# pinned gocv v0.31.0. Kept in step with scripts/setup.

FROM golang:1.26-bookworm AS build
RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      pkg-config libtesseract-dev libleptonica-dev libopencv-dev \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN go build -trimpath -o /out/sohoa ./cmd/sohoa \
    # the Debian packages that provide the shared libraries the binary links
    && ldd /out/sohoa | awk '/=> \//{print $3}' | xargs -r realpath | xargs -r dpkg -S 2>/dev/null \
       | cut -d: -f1 | sort -u > /out/runtime-packages.txt

FROM debian:bookworm-slim
COPY --from=build /out/runtime-packages.txt /tmp/
RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      $(cat /tmp/runtime-packages.txt) tesseract-ocr-vie tesseract-ocr-script-viet ca-certificates \
    && rm -rf /var/lib/apt/lists/* /tmp/runtime-packages.txt \
    && useradd --system --home /var/lib/sohoa --create-home sohoa
COPY --from=build /out/sohoa /usr/local/bin/sohoa
# Tesseract's OpenMP must run single-threaded; sohoa parallelises across pages.
ENV OMP_THREAD_LIMIT=1 MALLOC_ARENA_MAX=2
USER sohoa
WORKDIR /var/lib/sohoa
ENTRYPOINT ["sohoa"]
CMD ["--help"]
