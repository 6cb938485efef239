using System.Buffers.Binary;
using System.Text;

namespace ModelCheck.Kernel;

/// <summary>
/// A FUSE server of one regular file "f" in the root directory, speaking /dev/fuse directly
/// (protocol 7.31 replies, writeback_cache on). It can withhold every WRITE reply, as a server
/// that never answers does, or answer every WRITE with -EIO, as a server whose storage failed. It runs in its own process (`modelcheck fuse-server`), so a client
/// of the mount that hangs can never hang the server, and the parent aborts the connection
/// through fusectl on every exit path.
/// </summary>
public sealed unsafe class FuseServer(int fd, FuseServer.WriteReply writes)
{
    /// <summary>What the server does with a WRITE.</summary>
    public enum WriteReply { Store, Withhold, FailEio }

    private const int InHeader = 40, OutHeader = 16;
    private const int ENOENT = 2, EIO = 5, ENOSYS = 38;
    private const uint FUSE_ASYNC_READ = 1, FUSE_BIG_WRITES = 1 << 5, FUSE_WRITEBACK_CACHE = 1 << 16;
    private const ulong Root = 1, FileNode = 2;

    private bool exists;
    private byte[] data = [];
    private readonly byte[] buffer = new byte[(1 << 20) + 8192];

    /// <summary>Opens /dev/fuse and mounts it on mountPoint (writeback_cache negotiated at INIT). Returns the fd.</summary>
    public static int Mount(string mountPoint)
    {
        int fd = (int)Native.Check(Native.Open("/dev/fuse", Native.O_RDWR | Native.O_CLOEXEC, 0), "open /dev/fuse");
        string opts = $"fd={fd},rootmode=40000,user_id=0,group_id=0";
        if (Native.Mount("modelcheck", mountPoint, "fuse", 0x6 /* MS_NOSUID|MS_NODEV */, opts) < 0)
        {
            int err = Native.Errno;
            Native.Close(fd);
            throw new KernelCallException("mount fuse", err);
        }
        return fd;
    }

    /// <summary>Serves requests until the connection ends (unmount, abort: read fails).</summary>
    public void Serve()
    {
        fixed (byte* p = buffer)
        {
            while (true)
            {
                long n = Native.Read(fd, p, (nuint)buffer.Length);
                if (n < 0)
                {
                    int err = Native.Errno;
                    if (err is 4 or 2) continue; // EINTR, ENOENT (an interrupted request)
                    return;                        // ENODEV: unmounted or aborted
                }
                if (n < InHeader) continue;
                Handle(buffer.AsSpan(0, (int)n));
            }
        }
    }

    private void Handle(ReadOnlySpan<byte> req)
    {
        uint opcode = BinaryPrimitives.ReadUInt32LittleEndian(req[4..]);
        ulong unique = BinaryPrimitives.ReadUInt64LittleEndian(req[8..]);
        ulong node = BinaryPrimitives.ReadUInt64LittleEndian(req[16..]);
        var body = req[InHeader..];
        switch (opcode)
        {
            case 26: Reply(unique, 0, Init(body)); break;                      // INIT
            case 1:                                                             // LOOKUP
                if (Name(body) == "f" && exists) Reply(unique, 0, Entry());
                else Reply(unique, -ENOENT, []);
                break;
            case 3: Reply(unique, 0, AttrOut(node)); break;                    // GETATTR
            case 4:                                                             // SETATTR
                uint valid = BinaryPrimitives.ReadUInt32LittleEndian(body);
                if ((valid & (1 << 3)) != 0) Resize((long)BinaryPrimitives.ReadUInt64LittleEndian(body[16..]));
                Reply(unique, 0, AttrOut(node));
                break;
            case 35:                                                            // CREATE
                exists = true;
                data = [];
                Reply(unique, 0, [.. Entry(), .. OpenOut()]);
                break;
            case 14 or 27: Reply(unique, 0, OpenOut()); break;                  // OPEN, OPENDIR
            case 15:                                                            // READ
                long off = (long)BinaryPrimitives.ReadUInt64LittleEndian(body[8..]);
                int size = (int)BinaryPrimitives.ReadUInt32LittleEndian(body[16..]);
                int from = (int)Math.Min(off, data.Length), to = (int)Math.Min(off + size, data.Length);
                Reply(unique, 0, data.AsSpan(from, to - from));
                break;
            case 16:                                                            // WRITE
                if (writes == WriteReply.Withhold) break;                      // never answered
                if (writes == WriteReply.FailEio)
                {
                    Reply(unique, -EIO, []);
                    break;
                }
                long woff = (long)BinaryPrimitives.ReadUInt64LittleEndian(body[8..]);
                int wsize = (int)BinaryPrimitives.ReadUInt32LittleEndian(body[16..]);
                if (woff + wsize > data.Length) Resize(woff + wsize);
                body.Slice(40, wsize).CopyTo(data.AsSpan((int)woff));
                Span<byte> wout = stackalloc byte[8];
                wout.Clear();
                BinaryPrimitives.WriteUInt32LittleEndian(wout, (uint)wsize);
                Reply(unique, 0, wout);
                break;
            case 28: Reply(unique, 0, []); break;                              // READDIR: empty
            case 17: Reply(unique, 0, new byte[80]); break;                    // STATFS
            case 25 or 18 or 20 or 29 or 30 or 34: Reply(unique, 0, []); break; // FLUSH, RELEASE, FSYNC, RELEASEDIR, FSYNCDIR, ACCESS
            case 2 or 42 or 36: break;                                         // FORGET, BATCH_FORGET, INTERRUPT: no reply
            case 38: Reply(unique, 0, []); break;                              // DESTROY
            default: Reply(unique, -ENOSYS, []); break;
        }
    }

    private void Resize(long size)
    {
        var d = new byte[size];
        data.AsSpan(0, (int)Math.Min(size, data.Length)).CopyTo(d);
        data = d;
    }

    private static string Name(ReadOnlySpan<byte> body)
    {
        int nul = body.IndexOf((byte)0);
        return Encoding.UTF8.GetString(nul < 0 ? body : body[..nul]);
    }

    private static byte[] Init(ReadOnlySpan<byte> body)
    {
        var o = new byte[64];
        BinaryPrimitives.WriteUInt32LittleEndian(o, 7);
        BinaryPrimitives.WriteUInt32LittleEndian(o.AsSpan(4), 31);
        BinaryPrimitives.WriteUInt32LittleEndian(o.AsSpan(8), BinaryPrimitives.ReadUInt32LittleEndian(body[8..])); // max_readahead
        BinaryPrimitives.WriteUInt32LittleEndian(o.AsSpan(12), FUSE_ASYNC_READ | FUSE_BIG_WRITES | FUSE_WRITEBACK_CACHE);
        BinaryPrimitives.WriteUInt16LittleEndian(o.AsSpan(16), 16);       // max_background
        BinaryPrimitives.WriteUInt16LittleEndian(o.AsSpan(18), 12);       // congestion_threshold
        BinaryPrimitives.WriteUInt32LittleEndian(o.AsSpan(20), 1 << 20);  // max_write
        BinaryPrimitives.WriteUInt32LittleEndian(o.AsSpan(24), 1);        // time_gran
        BinaryPrimitives.WriteUInt16LittleEndian(o.AsSpan(28), 256);      // max_pages
        return o;
    }

    private byte[] Attr(ulong node)
    {
        var a = new byte[88];
        bool dir = node == Root;
        BinaryPrimitives.WriteUInt64LittleEndian(a, node);                                   // ino
        BinaryPrimitives.WriteUInt64LittleEndian(a.AsSpan(8), dir ? 0 : (ulong)data.Length); // size
        BinaryPrimitives.WriteUInt64LittleEndian(a.AsSpan(16), ((ulong)data.Length + 511) / 512);
        BinaryPrimitives.WriteUInt32LittleEndian(a.AsSpan(60), dir ? 0x41EDu : 0x81A4u);     // mode
        BinaryPrimitives.WriteUInt32LittleEndian(a.AsSpan(64), dir ? 2u : 1u);              // nlink
        BinaryPrimitives.WriteUInt32LittleEndian(a.AsSpan(80), 4096);                        // blksize
        return a;
    }

    private byte[] AttrOut(ulong node) => [.. new byte[16], .. Attr(node)];

    private byte[] Entry()
    {
        var e = new byte[40];
        BinaryPrimitives.WriteUInt64LittleEndian(e, FileNode);
        return [.. e, .. Attr(FileNode)];
    }

    private static byte[] OpenOut()
    {
        var o = new byte[16];
        BinaryPrimitives.WriteUInt64LittleEndian(o, 1); // fh
        return o;
    }

    private void Reply(ulong unique, int error, ReadOnlySpan<byte> payload)
    {
        var msg = new byte[OutHeader + payload.Length];
        BinaryPrimitives.WriteUInt32LittleEndian(msg, (uint)msg.Length);
        BinaryPrimitives.WriteInt32LittleEndian(msg.AsSpan(4), error);
        BinaryPrimitives.WriteUInt64LittleEndian(msg.AsSpan(8), unique);
        payload.CopyTo(msg.AsSpan(OutHeader));
        fixed (byte* p = msg) Native.Write(fd, p, (nuint)msg.Length);
    }
}
