<!DOCTYPE html>
<html lang="pl"><head><meta charset="utf-8"><title>502 Bad Gateway</title></head>
<body><h1>502 Bad Gateway</h1><p>Serwer chwilowo niedostępny.</p></body></html>
