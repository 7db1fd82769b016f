// The Temporal Java test server (io.temporal:temporal-test-server) on a port, with its clock starting at
// a chosen offset from the real time: `TestServerAt <port> <offsetMillis>`. `npm run test:dates` uses it
// (through ops/bin/temporal-test-server) to run the time-skipping tests as if today were another day.
// The server's own main (io.temporal.testserver.TestServer) always starts at the real time; this is the same
// start with the initial time that TestServicesStarter takes. libfaketime would shift it too, but every clock
// read of the JVM then takes a lock and two system calls, and a 16-day skip takes 10 s instead of 0.3 s.
import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.temporal.internal.testservice.GRPCServerHelper;
import io.temporal.internal.testservice.TestServicesStarter;

public final class TestServerAt {
  public static void main(String[] args) throws Exception {
    if (args.length != 2) {
      System.err.println("usage: TestServerAt <port> <offsetMillis>");
      System.exit(2);
    }
    int port = Integer.parseInt(args[0]);
    long startMillis = System.currentTimeMillis() + Long.parseLong(args[1]);
    // Time skipping starts locked, as the server's own main does without --enable-time-skipping: the SDK's
    // test environment unlocks it while a test sleeps or waits for a result.
    TestServicesStarter services = new TestServicesStarter(true, startMillis);
    ServerBuilder<?> builder = Grpc.newServerBuilderForPort(port, InsecureServerCredentials.create());
    GRPCServerHelper.registerServicesAndHealthChecks(services.getServices(), builder);
    Server server = builder.build().start();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      server.shutdownNow();
      services.close();
    }));
  }
}
