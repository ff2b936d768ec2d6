# ff2 for docker-compose.yml: one image for workers (`ff2 serve`) and sandbox runners (`ff2 runner`).
# scripts/setup.sh installs the system packages (bubblewrap, Python and the script environment),
# npm dependencies and the build, and compiles the sandbox's root helper into /var/cache/ff2.
FROM node:20-bookworm
WORKDIR /opt/ff2
COPY . .
RUN bash scripts/setup.sh && rm -rf /var/lib/apt/lists/*
ENV FF2_DATA_DIR=/var/lib/ff2
ENTRYPOINT ["node", "/opt/ff2/dist/cli.js"]
CMD ["serve"]
