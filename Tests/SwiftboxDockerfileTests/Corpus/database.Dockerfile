# A database image, from the issue: legacy ENV form.
FROM postgres:16
ENV POSTGRES_USER dockeruser
ENV POSTGRES_PASSWORD=secret POSTGRES_DB="app db"
COPY init-db.sql /docker-entrypoint-initdb.d/
EXPOSE 5432
