# A real RTSP server for tests and the benchmark (GStreamer gst-rtsp-server, TCP interleaved and UDP):
# plays an MP4 (H.264) in real time: to each client from its start, or with "shared" one live
# timeline for all clients (the benchmark). Usage: rtsp_server.py PORT FILE [shared]
import sys
import gi
gi.require_version("Gst", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import Gst, GstRtspServer, GLib

Gst.init(None)
port, path = sys.argv[1], sys.argv[2]
server = GstRtspServer.RTSPServer()
server.set_address("127.0.0.1")
server.set_service(port)
factory = GstRtspServer.RTSPMediaFactory()
factory.set_launch('( filesrc location="%s" ! qtdemux ! h264parse ! rtph264pay name=pay0 pt=96 config-interval=-1 )' % path)
factory.set_shared(len(sys.argv) > 3 and sys.argv[3] == "shared")
server.get_mount_points().add_factory("/stream", factory)
if server.attach(None) == 0:
    sys.exit("cannot bind")
print("ready", flush=True)
GLib.MainLoop().run()
