# The zdm worker image: `docker compose up` builds it; `docker run IMAGE <command>` runs any zdm
# command (default: worker). It carries the whole shaded CLI jar, dev stack included
# (docs/decisions/0400-production-compose-stack.md).
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY . .
RUN mvn -B -ntp -DskipTests package -pl starter -am

FROM eclipse-temurin:17-jre
RUN useradd --system --uid 10001 --home-dir /app zdm
COPY --from=build /src/starter/target/zdm.jar /app/zdm.jar
USER zdm
ENV ZDM_METRICS_PORT=9464
EXPOSE 9464
ENTRYPOINT ["java", "-jar", "/app/zdm.jar"]
CMD ["worker"]
