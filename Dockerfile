# The zdm worker image: `docker compose up` builds it; `docker run IMAGE <command>` runs any zdm
# command (default: worker). It carries the slim jar: the CLI and the worker, without the dev
# stack, Temporal's test server or an embedded PostgreSQL (`zdm dev` says to use the full jar;
# docs/decisions/0430-slim-worker-jar.md).
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY . .
RUN mvn -B -ntp -DskipTests package -pl slim -am

FROM eclipse-temurin:17-jre
RUN useradd --system --uid 10001 --home-dir /app zdm
COPY --from=build /src/slim/target/zdm-slim.jar /app/zdm.jar
USER zdm
ENV ZDM_METRICS_PORT=9464
EXPOSE 9464
ENTRYPOINT ["java", "-jar", "/app/zdm.jar"]
CMD ["worker"]
