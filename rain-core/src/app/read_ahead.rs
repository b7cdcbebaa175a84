//! The connections [`App::serve`](crate::App::serve) accepts: read ahead while a large message
//! arrives, and hold no buffer otherwise.
//!
//! The WebSocket engine reads through a buffer of
//! [`EngineSettings::ws_read_buffer`](crate::EngineSettings::ws_read_buffer) bytes, 1 KiB by
//! default so that an idle connection keeps little (BENCHMARKS.md, *Memory*). On its own that
//! makes a 64 KiB attachment 64 `read` calls. [`ReadAhead`] watches the reads: when one fills
//! the caller's whole buffer, more is probably waiting, so the next one takes up to [`AHEAD`]
//! bytes from the socket at once and hands them out from memory. Once they are all handed out,
//! that memory is freed. `tokio::io::BufReader` would do the reading ahead, but it keeps its
//! buffer for the connection's whole life, which is the memory the small read buffer saves.

use std::{
    io,
    net::SocketAddr,
    pin::Pin,
    task::{Context, Poll, ready},
};

use bytes::{Buf as _, BufMut as _, BytesMut};
use tokio::{
    io::{AsyncRead, AsyncWrite, ReadBuf},
    net::{TcpListener, TcpStream},
};

/// The most one read ahead takes from the socket: a 64 KiB attachment in one or two `read`s.
pub(crate) const AHEAD: usize = 64 * 1024;

/// The listener [`App::serve_with`](crate::App::serve_with) hands axum: a [`TcpListener`]
/// whose connections are [`ReadAhead`] streams.
pub(crate) struct ReadAheadListener(pub(crate) TcpListener);

impl axum::serve::Listener for ReadAheadListener {
    type Io = ReadAhead<TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        // axum's own accept retries and logs failed accepts.
        let (stream, addr) = axum::serve::Listener::accept(&mut self.0).await;
        (ReadAhead::new(stream), addr)
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        self.0.local_addr()
    }
}

/// A stream that reads ahead after a read that filled the caller's buffer (see the module
/// docs). Writes go straight through.
#[derive(Debug)]
pub(crate) struct ReadAhead<S> {
    inner: S,
    /// What was read ahead and not handed out yet; `None` once it is all handed out.
    ahead: Option<BytesMut>,
    /// The last read from the socket filled all the room it was given.
    full: bool,
}

impl<S> ReadAhead<S> {
    pub(crate) fn new(inner: S) -> Self {
        Self {
            inner,
            ahead: None,
            full: false,
        }
    }

    /// The stream it reads from.
    pub(crate) fn get_ref(&self) -> &S {
        &self.inner
    }

    /// Whether it holds read-ahead bytes now.
    #[cfg(test)]
    fn holds(&self) -> bool {
        self.ahead.is_some()
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for ReadAhead<S> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let want = buf.remaining();
        if let Some(ahead) = &mut this.ahead {
            let n = want.min(ahead.len());
            buf.put_slice(&ahead[..n]);
            ahead.advance(n);
            if ahead.is_empty() {
                this.ahead = None;
            }
            return Poll::Ready(Ok(()));
        }
        if !this.full || want == 0 || want >= AHEAD {
            let before = buf.filled().len();
            ready!(Pin::new(&mut this.inner).poll_read(cx, buf))?;
            this.full = want > 0 && buf.filled().len() - before == want;
            return Poll::Ready(Ok(()));
        }
        // Read into spare capacity: unlike `ReadBuf::new` on a zeroed `Vec`, nothing is filled
        // in first.
        let mut ahead = BytesMut::with_capacity(AHEAD);
        match tokio_util::io::poll_read_buf(
            Pin::new(&mut this.inner),
            cx,
            &mut (&mut ahead).limit(AHEAD),
        ) {
            Poll::Pending => {
                // Caught up with the peer: the next read goes straight to the socket again, and
                // the buffer goes back to the allocator unused (a cost only a read that filled
                // the caller's buffer can lead to, against holding it while the peer is idle).
                this.full = false;
                Poll::Pending
            }
            Poll::Ready(Err(error)) => Poll::Ready(Err(error)),
            Poll::Ready(Ok(read)) => {
                this.full = read == AHEAD;
                let n = want.min(read);
                buf.put_slice(&ahead[..n]);
                if read > n {
                    ahead.advance(n);
                    this.ahead = Some(ahead);
                }
                Poll::Ready(Ok(()))
            }
        }
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for ReadAhead<S> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

    /// Counts the reads that reach the stream under it.
    struct Counted<S> {
        inner: S,
        reads: usize,
    }

    impl<S: AsyncRead + Unpin> AsyncRead for Counted<S> {
        fn poll_read(
            mut self: Pin<&mut Self>,
            cx: &mut Context<'_>,
            buf: &mut ReadBuf<'_>,
        ) -> Poll<io::Result<()>> {
            let poll = Pin::new(&mut self.inner).poll_read(cx, buf);
            if poll.is_ready() {
                self.reads += 1;
            }
            poll
        }
    }

    fn pattern(len: usize) -> Vec<u8> {
        (0..len).map(|i| (i * 7 + i / 251) as u8).collect()
    }

    /// Reads `len` bytes `piece` at a time, as the engine does with its read buffer.
    async fn read_in_pieces<S: AsyncRead + Unpin>(
        stream: &mut ReadAhead<S>,
        len: usize,
        piece: usize,
    ) -> Vec<u8> {
        let mut got = Vec::new();
        let mut buf = vec![0; piece];
        while got.len() < len {
            let n = stream.read(&mut buf).await.expect("read");
            assert_ne!(n, 0, "the stream ended after {} bytes", got.len());
            got.extend_from_slice(&buf[..n]);
        }
        got
    }

    #[tokio::test]
    async fn large_messages_read_a_kibibyte_at_a_time_takes_few_reads_and_nothing_stays_held() {
        let sent = pattern(128 * 1024 + 300);
        let mut stream = ReadAhead::new(Counted {
            inner: &sent[..],
            reads: 0,
        });
        let got = read_in_pieces(&mut stream, sent.len(), 1024).await;
        assert_eq!(got, sent);
        // One 1 KiB read, then a read ahead of 64 KiB, then one of the rest.
        assert_eq!(stream.inner.reads, 3);
        assert!(!stream.holds());
        assert_eq!(stream.read(&mut [0; 1024]).await.expect("read"), 0);
    }

    #[tokio::test]
    async fn small_messages_go_straight_to_the_socket() {
        let sent = pattern(3 * 200);
        let mut stream = ReadAhead::new(Counted {
            inner: in_pieces(&sent, 200).await,
            reads: 0,
        });
        for chunk in sent.chunks(200) {
            let mut buf = [0; 1024];
            let n = stream.read(&mut buf).await.expect("read");
            assert_eq!(&buf[..n], chunk);
            assert!(!stream.holds());
        }
        assert_eq!(stream.inner.reads, 3);
    }

    /// A stream that yields `data` in pieces of `piece` bytes, as separate packets would.
    async fn in_pieces(data: &[u8], piece: usize) -> tokio::io::DuplexStream {
        let (mut writer, reader) = tokio::io::duplex(piece);
        let data = data.to_vec();
        tokio::spawn(async move {
            for chunk in data.chunks(piece) {
                writer.write_all(chunk).await.expect("write");
                writer.flush().await.expect("flush");
            }
        });
        reader
    }

    #[tokio::test]
    async fn bytes_arriving_slowly_over_tcp_come_out_whole_and_in_order() {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("address");
        let sent = pattern(300 * 1024);
        let writer = {
            let sent = sent.clone();
            tokio::spawn(async move {
                let mut client = TcpStream::connect(addr).await.expect("connect");
                // Pieces of uneven size with pauses, so that reads ahead meet an empty socket.
                for (i, chunk) in sent.chunks(5_003).enumerate() {
                    client.write_all(chunk).await.expect("write");
                    if i % 4 == 0 {
                        tokio::task::yield_now().await;
                        tokio::time::sleep(std::time::Duration::from_millis(1)).await;
                    }
                }
            })
        };
        let (socket, _) = listener.accept().await.expect("accept");
        let mut stream = ReadAhead::new(socket);
        let got = read_in_pieces(&mut stream, sent.len(), 1024).await;
        writer.await.expect("writer");
        assert_eq!(got.len(), sent.len());
        assert!(got == sent, "the bytes came out changed or out of order");
        assert_eq!(stream.read(&mut [0; 1024]).await.expect("read"), 0);
        assert!(!stream.holds());
    }
}
