package dev.zdm.dev;

import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.temporal.internal.testservice.GRPCServerHelper;
import io.temporal.internal.testservice.TestServicesStarter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * Temporal's in-memory test server bound to loopback only. It runs in real time and forgets
 * everything when it stops; it has no Web UI and no visibility queries.
 */
public final class TestServerTemporal implements LocalTemporal {
  private final TestServicesStarter services;
  private final Server server;
  private final String reason;

  private TestServerTemporal(TestServicesStarter services, Server server, String reason) {
    this.services = services;
    this.server = server;
    this.reason = reason;
  }

  /**
   * Built from the test server's parts rather than {@code TestServer.createPortBoundServer}, which
   * listens on every interface: these classes sit in an internal package, so the SDK version is
   * pinned in the parent pom.
   */
  public static TestServerTemporal start(int port, String reason) {
    // lockTimeSkipping = true: the clock runs in real time, as a real server's does.
    TestServicesStarter services = new TestServicesStarter(true, 0);
    NettyServerBuilder builder =
        NettyServerBuilder.forAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
    GRPCServerHelper.registerServicesAndHealthChecks(services.getServices(), builder);
    try {
      return new TestServerTemporal(services, builder.build().start(), reason);
    } catch (IOException e) {
      services.close();
      throw new UncheckedIOException("cannot listen on 127.0.0.1:" + port + ": " + e.getMessage(), e);
    }
  }

  @Override
  public String address() {
    return "127.0.0.1:" + server.getPort();
  }

  @Override
  public String description() {
    return "Temporal's in-memory test server at " + address() + " (" + reason + ")."
        + " It forgets every workflow when it stops and has no Web UI; for durability run a real"
        + " Temporal server (docker compose up, or `temporal server start-dev --db-filename FILE`)";
  }

  @Override
  public boolean durable() {
    return false;
  }

  @Override
  public String webUi() {
    return null;
  }

  @Override
  public void close() {
    server.shutdown();
    try {
      server.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    services.close();
  }
}
