# One image for every service; the command picks the service (python -m g60_<service>).
# Not built in CI here (no Docker engine on these machines); kept in step with the code.
FROM python:3.11-slim AS build
WORKDIR /src
COPY requirements.lock pyproject.toml ./
RUN pip install --no-cache-dir --prefix=/install -r requirements.lock
COPY services services
COPY gen gen
RUN pip install --no-cache-dir --prefix=/install --no-deps .

FROM python:3.11-slim
COPY --from=build /install /usr/local
RUN useradd --uid 10001 --no-create-home g60
USER 10001
# GRPC_EXPERIMENTS: the older gRPC listener, fewer thread switches per call; see
# GRPC_EXPERIMENTS in services/common/g60common/launcher.py.
ENV PYTHONUNBUFFERED=1 G60_LOG_FORMAT=json GRPC_EXPERIMENTS=-event_engine_listener
ENTRYPOINT ["python", "-m"]
