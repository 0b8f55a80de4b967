# syntax=docker/dockerfile:1
# The image of every plain ASP.NET service of MlStack (the CUDA inference image has its own, Inference.Grpc/Dockerfile).
# Build from the repository root, naming the project (its folder and its .csproj share the name):
#   docker build -f tools/container/aspnet.Dockerfile --build-arg PROJECT=VectorStore.Proxy -t mlstack/vectors .
# The published docker-compose.yaml passes the same argument for each service.
# The build stage runs on the builder's own platform and publishes portable IL, so one build serves linux/amd64 and
# linux/arm64 without emulation. VERSION (the release workflow passes the tag) becomes the assembly version.
ARG SDK_IMAGE=mcr.microsoft.com/dotnet/sdk:10.0
ARG RUNTIME_IMAGE=mcr.microsoft.com/dotnet/aspnet:10.0

FROM --platform=$BUILDPLATFORM ${SDK_IMAGE} AS build
ARG PROJECT
ARG VERSION
RUN test -n "$PROJECT" || { echo 'Name the project: --build-arg PROJECT=<folder>, e.g. PROJECT=Dashboard.Web' >&2; exit 1; }
WORKDIR /src
COPY . .
RUN --mount=type=cache,id=nuget,target=/root/.nuget/packages \
    dotnet publish "$PROJECT/$PROJECT.csproj" -c Release -o /app -p:UseAppHost=false ${VERSION:+-p:Version=$VERSION}

# The ASP.NET runtime image (Ubuntu, about 220 MB) already has the non-root "app" user (uid 1654).
FROM ${RUNTIME_IMAGE} AS final
ARG PROJECT
WORKDIR /app
COPY --from=build /app .
COPY --chmod=0755 tools/container/healthcheck.sh /usr/local/bin/mlstack-healthcheck
# A service's data folder (the dashboard's tally and sign-in keys) is a volume when published; a fresh named volume
# takes the owner of the folder it is mounted on.
RUN mkdir -p /app/data && chown 1654:1654 /app/data
ENV ASPNETCORE_HTTP_PORTS=8080 \
    MLSTACK_ENTRY_ASSEMBLY=${PROJECT}.dll
EXPOSE 8080
USER 1654
HEALTHCHECK --interval=10s --timeout=5s --start-period=60s --retries=6 \
    CMD ["/usr/local/bin/mlstack-healthcheck", "8080", "/health"]
# The entry assembly comes from the build argument, so a shell names it; exec leaves dotnet as PID 1, where it
# receives SIGTERM. Arguments after the image name still reach the app ("$@").
ENTRYPOINT ["/bin/sh", "-c", "exec dotnet \"$MLSTACK_ENTRY_ASSEMBLY\" \"$@\"", "mlstack"]
