# One image for every Colonnade role: `leader`, `compute` or `start` (see docker-compose.yml).
FROM node:20-bookworm-slim
WORKDIR /opt/colonnade
COPY package.json package-lock.json ./
RUN npm ci --omit=dev
COPY . .
ENV COLONNADE_DATA_DIR=/data
VOLUME ["/data"]
ENTRYPOINT ["node", "bin/colonnade.mjs"]
CMD ["start", "--host", "0.0.0.0"]
