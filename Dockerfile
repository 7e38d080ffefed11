# The zdm worker image: `docker compose up` builds it; `docker run IMAGE <command>` runs any zdm
# command (default: worker).
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY . .
RUN mvn -B -ntp -DskipTests package -pl starter -am

FROM eclipse-temurin:17-jre
COPY --from=build /src/starter/target/zdm.jar /app/zdm.jar
ENV ZDM_METRICS_PORT=9464
EXPOSE 9464
ENTRYPOINT ["java", "-jar", "/app/zdm.jar"]
CMD ["worker"]
