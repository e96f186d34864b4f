"""Device libraries: card readers, camera + QR decoder, printers. Import nothing from kiosk/ or screens/."""
