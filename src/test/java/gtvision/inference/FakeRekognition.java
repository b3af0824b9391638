package gtvision.inference;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A local server speaking Rekognition's JSON 1.1 protocol (POST /, X-Amz-Target:
 * RekognitionService.&lt;Operation&gt;), answered by a script the test sets per operation.
 */
final class FakeRekognition implements AutoCloseable {

  record Reply(int status, String errorType, String body) {
    static Reply ok(String json) {
      return new Reply(200, null, json);
    }

    static Reply error(int status, String type) {
      return new Reply(status, type, "{\"__type\":\"" + type + "\",\"message\":\"scripted " + type + "\"}");
    }
  }

  record Request(String target, String contentType, String body) {}

  private final HttpServer server;
  private final Map<String, Function<Integer, Reply>> script = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();
  final List<Request> requests = new CopyOnWriteArrayList<>();
  final AtomicInteger concurrent = new AtomicInteger();
  final AtomicInteger maxConcurrent = new AtomicInteger();
  volatile long delayMillis;

  FakeRekognition() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.setExecutor(Executors.newFixedThreadPool(16));
    server.createContext("/", this::handle);
    server.start();
  }

  URI endpoint() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  /** Answers the n-th (0-based) call of an operation, e.g. "DetectLabels". */
  FakeRekognition on(String operation, Function<Integer, Reply> reply) {
    script.put(operation, reply);
    return this;
  }

  int count(String operation) {
    return counts.computeIfAbsent(operation, k -> new AtomicInteger()).get();
  }

  private void handle(HttpExchange ex) throws IOException {
    int now = concurrent.incrementAndGet();
    maxConcurrent.accumulateAndGet(now, Math::max);
    try {
      String target = ex.getRequestHeaders().getFirst("X-Amz-Target");
      String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      requests.add(new Request(target, ex.getRequestHeaders().getFirst("Content-Type"), body));
      String op = target == null ? "" : target.substring(target.indexOf('.') + 1);
      int n = counts.computeIfAbsent(op, k -> new AtomicInteger()).getAndIncrement();
      if (delayMillis > 0) Thread.sleep(delayMillis);
      Function<Integer, Reply> f = script.get(op);
      Reply reply = f == null ? Reply.error(400, "UnknownOperationException") : f.apply(n);
      byte[] bytes = reply.body().getBytes(StandardCharsets.UTF_8);
      ex.getResponseHeaders().add("Content-Type", "application/x-amz-json-1.1");
      ex.getResponseHeaders().add("x-amzn-RequestId", "req-" + n);
      if (reply.errorType() != null) ex.getResponseHeaders().add("x-amzn-ErrorType", reply.errorType());
      ex.sendResponseHeaders(reply.status(), bytes.length);
      try (OutputStream out = ex.getResponseBody()) {
        out.write(bytes);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      concurrent.decrementAndGet();
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }

  static final String CAR_AND_PERSON =
      """
      {"LabelModelVersion":"3.0","Labels":[
        {"Name":"Car","Confidence":97.5,"Parents":[{"Name":"Vehicle"}],
         "Instances":[{"BoundingBox":{"Width":0.5,"Height":0.25,"Left":0.1,"Top":0.2},"Confidence":96.0}]},
        {"Name":"Person","Confidence":88.0,"Parents":[],
         "Instances":[{"BoundingBox":{"Width":0.1,"Height":0.4,"Left":0.7,"Top":0.5},"Confidence":88.0},
                      {"BoundingBox":{"Width":0.1,"Height":0.4,"Left":0.8,"Top":0.5},"Confidence":40.0}]},
        {"Name":"Wheel","Confidence":90.0,"Parents":[],"Instances":[]}]}
      """;

  static final String PLATE_TEXT =
      """
      {"TextDetections":[
        {"DetectedText":"ABC-1234","Type":"LINE","Id":0,"Confidence":99.0,
         "Geometry":{"BoundingBox":{"Width":0.1,"Height":0.03,"Left":0.3,"Top":0.4}}},
        {"DetectedText":"ABC-1234","Type":"WORD","Id":1,"ParentId":0,"Confidence":99.0,
         "Geometry":{"BoundingBox":{"Width":0.1,"Height":0.03,"Left":0.3,"Top":0.4}}},
        {"DetectedText":"HELLO","Type":"LINE","Id":2,"Confidence":95.0,
         "Geometry":{"BoundingBox":{"Width":0.1,"Height":0.03,"Left":0.3,"Top":0.3}}}]}
      """;
}
