package gtvision.camera.stream;

import com.typesafe.config.Config;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.dispatch.DispatcherPrerequisites;
import org.apache.pekko.dispatch.ExecutorServiceConfigurator;
import org.apache.pekko.dispatch.ExecutorServiceFactory;
import org.apache.pekko.dispatch.MonitorableThreadFactory;

/**
 * The executor of {@code gtv.camera.stream-dispatcher}: a cached thread pool (idle threads are reused,
 * a new one starts only when all are busy, idle ones end after {@code keep-alive-time}). Blocking camera
 * reads need a thread each while they wait; Pekko's thread-pool-executor would either queue them behind
 * each other (unbounded queue) or start a new thread for every task until it reaches its core size.
 */
public final class StreamExecutorConfigurator extends ExecutorServiceConfigurator {
  private final int maxThreads;
  private final long keepAliveMillis;

  public StreamExecutorConfigurator(Config config, DispatcherPrerequisites prerequisites) {
    super(config, prerequisites);
    Config own = config.getConfig("cached-thread-pool");
    this.maxThreads = own.getInt("max-threads");
    this.keepAliveMillis = own.getDuration("keep-alive-time").toMillis();
  }

  @Override
  public ExecutorServiceFactory createExecutorServiceFactory(String id, ThreadFactory threadFactory) {
    // Named like Pekko's own pools ("<system>-gtv.camera.stream-dispatcher-N"), for thread dumps and CPU accounting.
    ThreadFactory named = threadFactory instanceof MonitorableThreadFactory m ? m.withName(m.name() + "-" + id) : threadFactory;
    return () -> createExecutorService(named);
  }

  private ExecutorService createExecutorService(ThreadFactory threadFactory) {
    return new ThreadPoolExecutor(0, maxThreads, keepAliveMillis, TimeUnit.MILLISECONDS, new SynchronousQueue<>(), threadFactory);
  }
}
