# Elasticsearch 8.15.5 with our analysis plugin (backend/es-plugin), built from source.
#   docker build -f deploy/elasticsearch.Dockerfile -t boxoffice-elasticsearch .   (from the repository root)
FROM maven:3.9.9-eclipse-temurin-17 AS plugin
WORKDIR /src
COPY backend/es-plugin ./
RUN mvn -q -B package -DskipTests && cp target/boxoffice-analysis-8.15.5.zip /plugin.zip

FROM docker.elastic.co/elasticsearch/elasticsearch:8.15.5
COPY --from=plugin /plugin.zip /tmp/boxoffice-analysis.zip
RUN bin/elasticsearch-plugin install --batch file:///tmp/boxoffice-analysis.zip
