# syntax=docker/dockerfile:1
# GT-Vision image: one fat jar (maven-shade, Pekko reference.conf files merged) on a JRE.
# Build:  docker build -t registry.example.com/gtvision:1.0.0 .
# The tag is the release version: the Kustomize overlays copy it into GTV_APP_VERSION.

FROM maven:3-eclipse-temurin-17 AS build
WORKDIR /build
# pom.xml first so the dependency download layer is reused while only sources change; the cache
# mount keeps ~/.m2 between builds without putting it into any image layer.
COPY pom.xml .
RUN --mount=type=cache,target=/root/.m2 mvn -B -q dependency:go-offline
COPY src ./src
RUN --mount=type=cache,target=/root/.m2 mvn -B -q -DskipTests package

FROM eclipse-temurin:17-jre
# A fixed non-root UID/GID that matches runAsUser/fsGroup in k8s/base.
RUN groupadd --system --gid 10001 gtvision \
 && useradd --system --uid 10001 --gid gtvision --home-dir /home/gtvision --create-home gtvision \
 && mkdir -p /app /data /models \
 && chown gtvision:gtvision /data
COPY --from=build /build/target/gtvision.jar /app/gtvision.jar
USER 10001:10001
WORKDIR /app
ENV GTV_DATA_DIR=/data
# 8080 HTTP API + dashboard + /metrics, 7626 Pekko Management (health, bootstrap), 7355 Artery remoting.
EXPOSE 8080 7626 7355
# Exec form: java is PID 1 and receives SIGTERM directly, which runs Pekko's coordinated shutdown
# (shard hand-off, leaving the cluster). Heap follows the container memory limit; an OOM ends the
# process so Kubernetes restarts it instead of leaving a half-broken cluster member. Extra flags go
# into JAVA_TOOL_OPTIONS.
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-XX:+UseContainerSupport", "-XX:+ExitOnOutOfMemoryError", "-jar", "/app/gtvision.jar"]
