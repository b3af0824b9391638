package gtvision.camera.stream;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.util.List;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * TLS to a pinned address (the URL's host replaced by the checked IP) that still verifies the camera's
 * certificate against the name the client gave: the socket asks for that name by SNI, and the JDK's
 * trust manager checks the certificate against the SNI name when endpoint identification is on.
 */
final class PinnedTls extends SSLSocketFactory {
  private final SSLSocketFactory delegate;
  private final String hostName;

  PinnedTls(SSLSocketFactory delegate, String hostName) {
    this.delegate = delegate;
    this.hostName = hostName;
  }

  private Socket pin(Socket socket) {
    if (socket instanceof SSLSocket ssl) {
      SSLParameters params = ssl.getSSLParameters();
      params.setEndpointIdentificationAlgorithm("HTTPS");
      try {
        params.setServerNames(List.of(new SNIHostName(hostName)));
      } catch (IllegalArgumentException e) {
        // An IP literal has no SNI; the certificate is then checked against the address itself.
      }
      ssl.setSSLParameters(params);
    }
    return socket;
  }

  @Override
  public String[] getDefaultCipherSuites() {
    return delegate.getDefaultCipherSuites();
  }

  @Override
  public String[] getSupportedCipherSuites() {
    return delegate.getSupportedCipherSuites();
  }

  @Override
  public Socket createSocket() throws IOException {
    return pin(delegate.createSocket());
  }

  @Override
  public Socket createSocket(Socket s, String host, int port, boolean autoClose) throws IOException {
    return pin(delegate.createSocket(s, hostName, port, autoClose));
  }

  @Override
  public Socket createSocket(String host, int port) throws IOException {
    return pin(delegate.createSocket(host, port));
  }

  @Override
  public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
    return pin(delegate.createSocket(host, port, localHost, localPort));
  }

  @Override
  public Socket createSocket(InetAddress host, int port) throws IOException {
    return pin(delegate.createSocket(host, port));
  }

  @Override
  public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort) throws IOException {
    return pin(delegate.createSocket(address, port, localAddress, localPort));
  }
}
