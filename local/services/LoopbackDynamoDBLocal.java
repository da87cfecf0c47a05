import java.lang.reflect.Field;

import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

import software.amazon.dynamodb.services.local.main.CommandLineInput;
import software.amazon.dynamodb.services.local.main.ServerRunner;
import software.amazon.dynamodb.services.local.server.DynamoDBProxyServer;

/**
 * Starts DynamoDB Local bound to one host (default 127.0.0.1).
 *
 * Why: DynamoDBLocal.jar has no bind-address option (see its -help); its ServerRunner builds
 * a Jetty Server(port), which listens on every interface. This shim builds the server through
 * the same public factory, sets the host on Jetty's connector before start, and starts it.
 * Command-line options are those of DynamoDBLocal.jar. Telemetry is never configured here, so
 * nothing is sent whatever the flags (we still pass -disableTelemetry).
 *
 * Run in source-file mode: java -cp DynamoDBLocal.jar -Dsim.bindHost=127.0.0.1 LoopbackDynamoDBLocal.java -port 8000 -inMemory
 */
public final class LoopbackDynamoDBLocal {
  public static void main(String[] args) throws Exception {
    String host = System.getProperty("sim.bindHost", "127.0.0.1");
    CommandLineInput input = new CommandLineInput(args);
    if (!input.init()) {
      return; // -help / -version were printed
    }
    DynamoDBProxyServer proxy = ServerRunner.createServerFromCommandLineArgs(args);
    Field field = DynamoDBProxyServer.class.getDeclaredField("server");
    field.setAccessible(true);
    Server jetty = (Server) field.get(proxy);
    int bound = 0;
    for (Connector connector : jetty.getConnectors()) {
      if (connector instanceof ServerConnector) {
        ((ServerConnector) connector).setHost(host);
        bound++;
      }
    }
    if (bound == 0) {
      // Fail loudly rather than silently listening on all interfaces.
      throw new IllegalStateException("DynamoDB Local: no Jetty ServerConnector found to bind to " + host);
    }
    proxy.start(); // Jetty's non-daemon threads keep the JVM alive after main returns.
    System.out.println("DynamoDB Local listening on " + host + " (LoopbackDynamoDBLocal)");
  }
}
