; VGA drawing scenes for the screen oracle test (test/vga/qemuScreen.test.ts). The same ROM runs in
; QEMU (the oracle) and in our emulator; both screens are then compared pixel for pixel.
;
; A 64 KiB system ROM at F0000h: the reset vector jumps to `start`. No BIOS runs first, so the
; program programs every VGA register of its mode itself. Assemble with -DSCENE=12h, 13h or 58h:
;   12h  640x480x16 planar: write modes 0-3, set/reset, rotate, logical ops, bit mask, map mask,
;        latch copies (write mode 1), read mode 1 colour compare, read mode 0 plane reads, a DAC
;        entry read back through 3C7h/3C9h, and an attribute colour-select change
;   13h  320x200x256 chain-4: every colour, byte reads through chain-4
;   58h  ('X') 320x200x256 unchained ("mode X"): per-plane writes, latch copies of 4 pixels,
;        write modes 2 and 3, read modes 0 and 1
;   03h  80x25 text, 9-dot cells with line graphics: all 256 characters in many attributes, using
;        the font in FONTFILE (8x16, 4096 bytes) loaded into plane 2; cursor off, blink off
; When the picture is complete it writes 'D' to port E9h (QEMU's debug console) and halts.
bits 16
cpu 486
org 0

%ifndef SCENE
%define SCENE 12h
%endif

%macro GC 2
    mov dx, 3ceh
    mov ax, ((%2) << 8) | (%1)
    out dx, ax
%endmacro

%macro SEQ 2
    mov dx, 3c4h
    mov ax, ((%2) << 8) | (%1)
    out dx, ax
%endmacro

; GC register %1 := AL (keeps other registers)
%macro GCAL 1
    mov dx, 3ceh
    mov ah, al
    mov al, %1
    out dx, ax
%endmacro

; SEQ register %1 := AL
%macro SEQAL 1
    mov dx, 3c4h
    mov ah, al
    mov al, %1
    out dx, ax
%endmacro

start:
    cli
    cld
    xor ax, ax
    mov ss, ax
    mov sp, 7000h
    mov ax, cs
    mov ds, ax
    mov ax, 0a000h
    mov es, ax
%if SCENE = 12h
    mov si, mode12
%elif SCENE = 03h
    mov si, mode03
%elif SCENE = 13h
    mov si, mode13
%else
    mov si, modeX
%endif
    call set_mode
    call load_dac
%if SCENE <> 03h
    call clear_planes
%endif
%if SCENE = 12h
    call scene12
%elif SCENE = 03h
    call scene03
%elif SCENE = 13h
    call scene13
%else
    call sceneX
%endif
    mov dx, 0e9h
    mov al, 'D'
    out dx, al
halt:
    hlt
    jmp halt

; ---- mode set: SI -> 4 sequencer, misc, 25 CRTC, 20 attribute, 9 graphics bytes ----
set_mode:
    SEQ 0, 1                    ; synchronous reset while the clocks change
    mov bl, 1
.seq:
    mov dx, 3c4h
    mov al, bl
    out dx, al
    inc dx
    lodsb
    out dx, al
    inc bl
    cmp bl, 5
    jb .seq
    lodsb
    mov dx, 3c2h
    out dx, al
    SEQ 0, 3
    mov dx, 3d4h                ; unlock CR0-CR7
    mov al, 11h
    out dx, al
    inc dx
    in al, dx
    and al, 7fh
    out dx, al
    xor bl, bl
.crtc:
    mov dx, 3d4h
    mov al, bl
    out dx, al
    inc dx
    lodsb
    out dx, al
    inc bl
    cmp bl, 25
    jb .crtc
    mov dx, 3dah                ; attribute flip-flop to "index"
    in al, dx
    mov dx, 3c0h
    xor bl, bl
.attr:
    mov al, bl
    out dx, al
    lodsb
    out dx, al
    inc bl
    cmp bl, 20
    jb .attr
    mov al, 14h
    out dx, al
    xor al, al
    out dx, al
    xor bl, bl
.gc:
    mov dx, 3ceh
    mov al, bl
    out dx, al
    inc dx
    lodsb
    out dx, al
    inc bl
    cmp bl, 9
    jb .gc
    mov dx, 3c0h
    mov al, 20h                 ; give the palette back to the display
    out dx, al
    ret

; ---- DAC: entry i = (i & 3Fh, (5i + 7) & 3Fh, ~i >> 2): every 6-bit level appears ----
load_dac:
    mov dx, 3c8h
    xor al, al
    out dx, al
    inc dx
    xor cx, cx
.l:
    mov al, cl
    and al, 3fh
    out dx, al
    mov al, cl
    mov ah, 5
    mul ah
    add al, 7
    and al, 3fh
    out dx, al
    mov al, cl
    not al
    shr al, 2
    out dx, al
    inc cx
    cmp cx, 256
    jb .l
    ret

; ---- all planes to 0 through write mode 0 (keeps the mode's shift bits in GR5) ----
clear_planes:
    SEQ 2, 0fh
    GC 1, 0
    GC 3, 0
    GC 8, 0ffh
    mov dx, 3ceh
    mov al, 5
    out dx, al
    inc dx
    in al, dx
    and al, 0f4h
    out dx, al
    xor di, di
    xor ax, ax
    mov cx, 8000h
    rep stosw
    ret

; =============================== mode 12h ===============================
%if SCENE = 12h
scene12:
    ; A (rows 0-63): 16 bars of 40 pixels, filled with set/reset on all planes
    GC 1, 0fh
    xor bx, bx                  ; colour
.a_colour:
    mov al, bl
    GCAL 0
    xor di, di
    mov ax, bx
    mov cl, 5
    mul cl
    add di, ax
    mov dx, 64
.a_row:
    mov cx, 5
    mov al, 55h                 ; ignored: set/reset covers every plane
    rep stosb
    add di, 75
    dec dx
    jnz .a_row
    inc bx
    cmp bx, 16
    jb .a_colour

    ; B (rows 64-127): latches from A, partial set/reset, rotate by row, a logical function per
    ; 16 rows, bit mask F3h; map mask 0Bh on every fifth column
    GC 1, 05h
    GC 0, 0ch
    GC 8, 0f3h
    xor bp, bp                  ; row
.b_row:
    mov ax, bp
    and al, 7
    mov ah, al
    mov cx, bp
    shr cl, 4
    shl cl, 3
    or ah, cl                   ; rotate | function << 3
    mov al, 3
    mov dx, 3ceh
    out dx, ax
    xor bx, bx                  ; column
.b_col:
    mov ax, bx
    mov cl, 5
    div cl                      ; AH = column mod 5
    mov al, 0fh
    test ah, ah
    jnz .b_mask
    mov al, 0bh
.b_mask:
    SEQAL 2
    mov ax, bp
    mov cx, 80
    mul cx
    add ax, bx
    mov si, ax
    mov al, [es:si]             ; load the latches from A
    mov ax, bx
    mov cl, 7
    mul cl
    add ax, bp
    mov [es:si + 64 * 80], al
    inc bx
    cmp bx, 80
    jb .b_col
    inc bp
    cmp bp, 64
    jb .b_row
    SEQ 2, 0fh
    GC 3, 0
    GC 1, 0

    ; C (rows 128-191): write mode 2, one pixel at a time through the bit mask; XOR below row 160
    GC 5, 02h
    mov bp, 128
.c_row:
    mov al, 0
    cmp bp, 160
    jb .c_fn
    mov al, 18h
.c_fn:
    GCAL 3
    xor bx, bx                  ; x
.c_px:
    mov cl, bl
    and cl, 7
    mov al, 80h
    shr al, cl
    GCAL 8
    mov ax, bp
    mov cx, 80
    mul cx
    mov di, bx
    shr di, 3
    add di, ax
    mov al, [es:di]             ; latches for the untouched bits
    mov ax, bx
    shr ax, 2
    add ax, bp
    and al, 0fh
    mov [es:di], al
    inc bx
    cmp bx, 640
    jb .c_px
    inc bp
    cmp bp, 192
    jb .c_row
    GC 3, 0
    GC 8, 0ffh

    ; D (rows 192-255): write mode 3: set/reset colour by row, CPU byte rotated as the mask;
    ; bit mask 7Eh on odd rows, OR on rows with bit 2 set
    GC 5, 03h
    mov bp, 192
.d_row:
    mov ax, bp
    shr al, 2
    and al, 0fh
    GCAL 0
    mov ax, bp
    and al, 7
    test bp, 4
    jz .d_rot
    or al, 10h
.d_rot:
    GCAL 3
    mov al, 0ffh
    test bp, 1
    jz .d_bm
    mov al, 7eh
.d_bm:
    GCAL 8
    mov ax, bp
    mov cx, 80
    mul cx
    mov di, ax
    mov cx, 80
.d_px:
    mov al, [es:di]
    mov al, 0c5h
    stosb
    loop .d_px
    inc bp
    cmp bp, 256
    jb .d_row
    GC 3, 0
    GC 8, 0ffh

    ; E (rows 256-319): write mode 1 copies A three bytes to the right; the lower half copies
    ; planes 0-2 only
    GC 5, 01h
    xor bp, bp
.e_row:
    mov al, 0fh
    cmp bp, 32
    jb .e_mm
    mov al, 07h
.e_mm:
    SEQAL 2
    xor bx, bx
.e_col:
    mov ax, bp
    mov cx, 80
    mul cx
    mov si, ax
    add si, bx
    mov al, [es:si]
    mov ax, bx
    add ax, 3
    cmp ax, 80
    jb .e_nowrap
    sub ax, 80
.e_nowrap:
    mov di, si
    sub di, bx
    add di, ax
    mov [es:di + 256 * 80], al
    inc bx
    cmp bx, 80
    jb .e_col
    inc bp
    cmp bp, 64
    jb .e_row
    SEQ 2, 0fh

    ; F (rows 320-383): read mode 1 compares C against colour (row & 15), don't-care 0Fh or
    ; 07h; the result, written in write mode 3 over colour 15, shows matches white
    GC 0, 0fh
    mov bp, 0
.f_row:
    mov ax, bp
    and al, 0fh
    GCAL 2
    mov al, 0fh
    test bp, 8
    jz .f_dc
    mov al, 07h
.f_dc:
    GCAL 7
    GC 5, 0bh
    mov ax, bp
    mov cx, 80
    mul cx
    mov si, ax
    mov cx, 80
.f_px:
    mov al, [es:si + 128 * 80]
    mov [es:si + 320 * 80], al
    inc si
    loop .f_px
    inc bp
    cmp bp, 64
    jb .f_row
    GC 7, 0fh
    GC 2, 0

    ; G (rows 384-447): read mode 0 reads plane (row & 3) of D, write mode 0 puts it into plane
    ; ((row >> 2) & 3)
    GC 5, 00h
    xor bp, bp
.g_row:
    mov ax, bp
    and al, 3
    GCAL 4
    mov cx, bp
    shr cl, 2
    and cl, 3
    mov al, 1
    shl al, cl
    SEQAL 2
    mov ax, bp
    mov cx, 80
    mul cx
    mov si, ax
    mov cx, 80
.g_px:
    mov al, [es:si + 192 * 80]
    mov [es:si + 384 * 80], al
    inc si
    loop .g_px
    inc bp
    cmp bp, 64
    jb .g_row
    SEQ 2, 0fh
    GC 4, 0

    ; H (rows 448-479): 16 bars by set/reset, then DAC entry 3Eh := entry 5 read back, and the
    ; attribute colour select moves every colour to DAC 40h-7Fh (the DAC has distinct colours there)
    GC 1, 0fh
    mov di, 448 * 80
    mov bp, 32
.h_row:
    xor bx, bx
.h_col:
    mov ax, bx
    shr al, 1
    and al, 0fh
    GCAL 0
    mov byte [es:di], 0
    inc di
    inc bx
    cmp bx, 80
    jb .h_col
    dec bp
    jnz .h_row
    GC 1, 0
    mov dx, 3c7h
    mov al, 5
    out dx, al
    mov dx, 3c9h
    in al, dx
    mov bl, al
    in al, dx
    mov bh, al
    in al, dx
    mov cl, al
    mov dx, 3c8h
    mov al, 3eh
    out dx, al
    inc dx
    mov al, bl
    out dx, al
    mov al, bh
    out dx, al
    mov al, cl
    out dx, al
    mov dx, 3dah
    in al, dx
    mov dx, 3c0h
    mov al, 14h
    out dx, al
    mov al, 04h
    out dx, al
    mov al, 20h
    out dx, al
    ret
%endif

; =============================== mode 13h ===============================
%if SCENE = 13h
scene13:
    ; rows 0-99: colour (x + 2y) & FFh
    xor di, di
    xor bp, bp
.a_row:
    xor bx, bx
.a_px:
    mov ax, bp
    shl ax, 1
    add ax, bx
    stosb
    inc bx
    cmp bx, 320
    jb .a_px
    inc bp
    cmp bp, 100
    jb .a_row
    ; rows 100-149: x * y >> 4
.b_row:
    xor bx, bx
.b_px:
    mov ax, bx
    mul bp
    shr ax, 4
    stosb
    inc bx
    cmp bx, 320
    jb .b_px
    inc bp
    cmp bp, 150
    jb .b_row
    ; rows 150-199: read the byte 150 rows up through chain-4, XOR with x
.c_row:
    xor bx, bx
.c_px:
    mov al, [es:di - 150 * 320]
    xor al, bl
    stosb
    inc bx
    cmp bx, 320
    jb .c_px
    inc bp
    cmp bp, 200
    jb .c_row
    ret
%endif

; ============================ mode X (unchained) ============================
%if SCENE = 58h
; pixel (BX = x, BP = y) := AL through the map mask
putpixel:
    push ax
    mov cl, bl
    and cl, 3
    mov al, 1
    shl al, cl
    SEQAL 2
    mov ax, bp
    mov cx, 80
    mul cx
    mov di, bx
    shr di, 2
    add di, ax
    pop ax
    mov [es:di], al
    ret

sceneX:
    ; rows 0-99: colour (3x + y) & FFh, one plane at a time
    xor bp, bp
.a_row:
    xor bx, bx
.a_px:
    mov ax, bx
    mov cx, 3
    mul cx
    add ax, bp
    call putpixel
    inc bx
    cmp bx, 320
    jb .a_px
    inc bp
    cmp bp, 100
    jb .a_row
    SEQ 2, 0fh

    ; rows 100-149: write mode 1 copies rows 0-49 (four pixels per byte), shifted by 5 bytes
    GC 5, 41h
    xor si, si
    mov di, 100 * 80 + 5
    mov cx, 50 * 80 - 5
.b_px:
    mov al, [es:si]
    mov [es:di], al
    inc si
    inc di
    loop .b_px

    ; rows 150-169: write mode 2, colour bits to whole plane bytes, bit mask by row
    GC 5, 42h
    mov bp, 150
.c_row:
    mov ax, bp
    shl al, 3
    or al, 81h
    GCAL 8
    mov ax, bp
    mov cx, 80
    mul cx
    mov di, ax
    xor bx, bx
.c_px:
    mov al, [es:di]
    mov al, bl
    and al, 0fh
    stosb
    inc bx
    cmp bx, 80
    jb .c_px
    inc bp
    cmp bp, 170
    jb .c_row
    GC 8, 0ffh

    ; rows 170-189: write mode 3, set/reset by row, rotate 1, XOR
    GC 5, 43h
    GC 3, 19h
    mov bp, 170
.d_row:
    mov ax, bp
    and al, 0fh
    GCAL 0
    mov ax, bp
    mov cx, 80
    mul cx
    mov di, ax
    mov cx, 80
.d_px:
    mov al, [es:di - 170 * 80]
    mov al, 3ch
    stosb
    loop .d_px
    inc bp
    cmp bp, 190
    jb .d_row
    GC 3, 0

    ; rows 190-194: read mode 1 compares rows 0-4 with colour 0Ah (don't care 0Bh), written in
    ; write mode 0 to every plane; rows 195-199: read mode 0, plane (row & 3) of rows 5-9
    GC 5, 48h
    GC 2, 0ah
    GC 7, 0bh
    mov si, 0
    mov cx, 5 * 80
.e_px:
    mov al, [es:si]
    mov [es:si + 190 * 80], al
    inc si
    loop .e_px
    GC 5, 40h
    GC 7, 0fh
    mov bp, 195
.f_row:
    mov ax, bp
    and al, 3
    GCAL 4
    mov ax, bp
    mov cx, 80
    mul cx
    mov si, ax
    mov cx, 80
.f_px:
    mov al, [es:si - 190 * 80]
    mov [es:si], al
    inc si
    loop .f_px
    inc bp
    cmp bp, 200
    jb .f_row
    ret
%endif

; =============================== mode 03h ===============================
%if SCENE = 03h
scene03:
    ; the font into plane 2, 32 bytes per character, through sequential planar access
    SEQ 2, 04h
    SEQ 4, 07h
    GC 4, 02h
    GC 5, 00h
    GC 6, 04h
    mov si, font
    xor di, di
    mov bx, 256
.glyph:
    mov cx, 16
    rep movsb
    xor al, al
    mov cx, 16
    rep stosb
    dec bx
    jnz .glyph
    SEQ 2, 03h
    SEQ 4, 02h
    GC 4, 00h
    GC 5, 10h
    GC 6, 0eh
    mov dx, 3d4h                ; cursor off
    mov ax, 200ah
    out dx, ax
    ; B800h: character = cell & FFh, attribute = (row * 11 + col) & 7Fh, forced non-zero
    mov ax, 0b800h
    mov es, ax
    xor di, di
    xor bp, bp
.row:
    xor bx, bx
.col:
    mov ax, bp
    mov cx, 80
    mul cx
    add ax, bx
    stosb
    mov ax, bp
    mov cl, 11
    mul cl
    add ax, bx
    and al, 7fh
    jnz .attr
    mov al, 1fh
.attr:
    stosb
    inc bx
    cmp bx, 80
    jb .col
    inc bp
    cmp bp, 25
    jb .row
    ret
font:
    incbin FONTFILE
%endif

; ---- register tables: SR1-SR4, misc, CR00-CR18, AR00-AR13, GR0-GR8 ----
mode12:
    db 01h, 0fh, 00h, 06h
    db 0e3h
    db 5fh, 4fh, 50h, 82h, 54h, 80h, 0bh, 3eh, 00h, 40h, 00h, 00h, 00h, 00h, 00h, 00h
    db 0eah, 8ch, 0dfh, 28h, 00h, 0e7h, 04h, 0e3h, 0ffh
    db 00h, 01h, 02h, 03h, 04h, 05h, 14h, 07h, 38h, 39h, 3ah, 3bh, 3ch, 3dh, 3eh, 3fh
    db 01h, 00h, 0fh, 00h
    db 00h, 00h, 00h, 00h, 00h, 00h, 05h, 0fh, 0ffh
mode03:                         ; attribute mode 04h: 9th dot for line graphics, blink off
    db 00h, 03h, 00h, 02h
    db 67h
    db 5fh, 4fh, 50h, 82h, 55h, 81h, 0bfh, 1fh, 00h, 4fh, 0dh, 0eh, 00h, 00h, 00h, 00h
    db 9ch, 8eh, 8fh, 28h, 1fh, 96h, 0b9h, 0a3h, 0ffh
    db 00h, 01h, 02h, 03h, 04h, 05h, 14h, 07h, 38h, 39h, 3ah, 3bh, 3ch, 3dh, 3eh, 3fh
    db 04h, 00h, 0fh, 08h
    db 00h, 00h, 00h, 00h, 00h, 10h, 0eh, 00h, 0ffh
mode13:
    db 01h, 0fh, 00h, 0eh
    db 63h
    db 5fh, 4fh, 50h, 82h, 54h, 80h, 0bfh, 1fh, 00h, 41h, 00h, 00h, 00h, 00h, 00h, 00h
    db 9ch, 8eh, 8fh, 28h, 40h, 96h, 0b9h, 0a3h, 0ffh
    db 00h, 01h, 02h, 03h, 04h, 05h, 06h, 07h, 08h, 09h, 0ah, 0bh, 0ch, 0dh, 0eh, 0fh
    db 41h, 00h, 0fh, 00h
    db 00h, 00h, 00h, 00h, 00h, 40h, 05h, 0fh, 0ffh
modeX:                          ; mode 13h unchained: SR4 06h, CRTC byte mode (CR14 00h, CR17 E3h)
    db 01h, 0fh, 00h, 06h
    db 63h
    db 5fh, 4fh, 50h, 82h, 54h, 80h, 0bfh, 1fh, 00h, 41h, 00h, 00h, 00h, 00h, 00h, 00h
    db 9ch, 8eh, 8fh, 28h, 00h, 96h, 0b9h, 0e3h, 0ffh
    db 00h, 01h, 02h, 03h, 04h, 05h, 06h, 07h, 08h, 09h, 0ah, 0bh, 0ch, 0dh, 0eh, 0fh
    db 41h, 00h, 0fh, 00h
    db 00h, 00h, 00h, 00h, 00h, 40h, 05h, 0fh, 0ffh

    times 0fff0h - ($ - $$) db 0ffh
reset:
    jmp 0f000h:start
    times 10000h - ($ - $$) db 0ffh
